/**
 * Engine events as eventchat frames. Room-wide frames are the same for every recipient and are encoded once
 * per event (encodeOnce) as a ready socket.io packet; frames about one user are built for that user only.
 */
import { escapeHtml } from '../../core/html.js';
import type { EngineEvent, MessageView } from '../../engine/events.js';
import { encodeOnce } from '../encodeOnce.js';
import { dialectText } from '../kernel/messageText.js';
import {
  EVENTCHAT_DIALECT,
  EVENTCHAT_NAMESPACE,
  SERVER_EVENT,
  SYSTEM_USER,
  type MessageFrame,
  type OutboundFrame,
} from './protocol.js';

/** `message` for a stored message: `content` is always the server's rendering, never a client's. */
export function messageFrame(message: MessageView): MessageFrame {
  return {
    id: message.id,
    user: message.author?.username ?? SYSTEM_USER,
    content: message.html,
    // A `/me` action is stored without its command; its raw form is what the author typed.
    raw_content: message.kind === 'me' ? `/me ${dialectText(message)}` : dialectText(message),
  };
}

/** Text from the server to one user (a slash command's answer, a moderator action's confirmation). */
export function systemFrame(text: string): MessageFrame {
  return { user: SYSTEM_USER, content: escapeHtml(text), raw_content: text };
}

/** The frame everyone in the room gets for a room event, or null when the dialect has nothing for it. */
export function roomFrame(event: EngineEvent): OutboundFrame | null {
  switch (event.type) {
    case 'message':
      return { event: SERVER_EVENT.message, data: messageFrame(event.message) };
    case 'message_deleted':
      return { event: SERVER_EVENT.deleteMessage, data: { id: event.message.id } };
    case 'presence_join':
      return { event: SERVER_EVENT.join, data: { user: event.user.username } };
    case 'presence_leave':
      return { event: SERVER_EVENT.leave, data: { user: event.user.username } };
    default:
      return null;
  }
}

/** A socket.io EVENT packet for the namespace, exactly as socket.io-parser encodes `socket.emit(event, data)`. */
export function encodePacket(frame: OutboundFrame): string {
  const args = frame.data === undefined ? [frame.event] : [frame.event, frame.data];
  return `2${EVENTCHAT_NAMESPACE},${JSON.stringify(args)}`;
}

function encodeRoomEvent(event: EngineEvent): string | null {
  const frame = roomFrame(event);
  return frame ? encodePacket(frame) : null;
}

/** The room-wide packet for an event, encoded once however many sessions receive the same event object. */
export function roomPacket(event: EngineEvent): string | null {
  return encodeOnce(event, EVENTCHAT_DIALECT, encodeRoomEvent);
}
