/**
 * Engine → moneypot: the payload shapes of users, messages and mutes, which engine events a moneypot socket
 * hears, and the socket.io packet each one is written as (encoded once per event, however many sockets get it).
 */
import type { UserRef } from '../../core/types.js';
import type { EngineEvent, MessageView } from '../../engine/events.js';
import { encodeOnce } from '../encodeOnce.js';
import { dialectText } from '../kernel/messageText.js';
import type {
  MoneypotAuthor,
  MoneypotMessage,
  MoneypotMute,
  MoneypotPush,
  MoneypotUser,
} from './protocol.js';
import { MONEYPOT_DIALECT, MONEYPOT_NAMESPACE } from './protocol.js';

export function toUser(user: UserRef): MoneypotUser {
  return { id: user.id, uname: user.username, role: user.role };
}

export function toAuthor(user: UserRef): MoneypotAuthor {
  return { uname: user.username, role: user.role };
}

/**
 * A message as the document shows it, or null for what a moneypot client cannot show (no author, deleted).
 * A `/me` action keeps the form it was typed in, `/me waves`, since the document has no action messages.
 */
export function toMessage(message: MessageView): MoneypotMessage | null {
  if (message.author === null || message.deletedAt !== null) return null;
  const text = message.kind === 'me' ? `/me ${dialectText(message)}` : dialectText(message);
  return { id: message.id, user: toAuthor(message.author), text };
}

export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function toMute(uname: string, mins: number | null, expiresAt: number | null): MoneypotMute {
  return { uname, mins, expires_at: isoOrNull(expiresAt) };
}

/**
 * Whether an event concerns a socket whose lobby is `lobbyId`: the lobby's messages and presence, and mutes
 * app-wide or in the lobby. Everything else the engine sends (other rooms, typing, edits, app-wide presence,
 * bans, the engine's own command replies) has no moneypot form.
 */
export function concernsLobby(event: EngineEvent, lobbyId: number): boolean {
  switch (event.type) {
    case 'message':
    case 'presence_join':
    case 'presence_leave':
      return event.room.id === lobbyId;
    case 'muted':
    case 'unmuted':
      return event.room === null || event.room.id === lobbyId;
    default:
      return false;
  }
}

/** The moneypot event for an engine event, or null when it has none. */
export function toPush(event: EngineEvent): MoneypotPush | null {
  switch (event.type) {
    case 'message': {
      const message = toMessage(event.message);
      return message ? { name: 'new_message', payload: message } : null;
    }
    case 'presence_join':
      return { name: 'user_joined', payload: toAuthor(event.user) };
    case 'presence_leave':
      return { name: 'user_left', payload: toAuthor(event.user) };
    case 'muted':
      return { name: 'user_muted', payload: toMute(event.user.username, event.minutes, event.expiresAt) };
    case 'unmuted':
      return { name: 'user_unmuted', payload: { uname: event.user.username } };
    default:
      return null;
  }
}

/**
 * A socket.io EVENT packet for the moneypot namespace, as socket.io-parser encodes it: type `2`, the namespace,
 * a comma, then the JSON array `[name, payload]`.
 */
export function encodePacket(name: string, payload: unknown): string {
  return `2${MONEYPOT_NAMESPACE},${JSON.stringify([name, payload])}`;
}

function encodeEvent(event: EngineEvent): string | null {
  const push = toPush(event);
  return push ? encodePacket(push.name, push.payload) : null;
}

/** The packet for an engine event (null when it has no moneypot form), encoded once for every recipient. */
export function packetFor(event: EngineEvent): string | null {
  return encodeOnce(event, MONEYPOT_DIALECT, encodeEvent);
}
