/**
 * Engine events as chatroom frames. The dialect's clients know one push, `receive_message {author, message}`,
 * so messages, joins, leaves and notices all become that; everything else has no chatroom form and is dropped.
 * A connection is in at most one room (see connection.ts), and a push carries no room name, so only events
 * of that room reach it.
 */
import type { EngineEvent, MessageView } from '../../engine/events.js';
import { encodeOnce } from '../encodeOnce.js';
import { sharedTextFrames, type SharedTextFrame } from '../wsFrame.js';
import { dialectText } from '../kernel/messageText.js';
import { CHATROOM_FRAMING, receiveMessageFrame, ROOM_AUTHOR, roomNotice } from './frames.js';

/** What the routing needs to know about the receiving connection. */
export interface Recipient {
  userId: number;
  /** The room the connection is in, or null. */
  roomId: number | null;
}

/** A stored message as `{author, message}`; `/me` actions read "* user action", as chat clients show them. */
export function messageContent(message: MessageView): { author: string; message: string } {
  const author = message.author?.username ?? ROOM_AUTHOR;
  if (message.kind === 'me') return { author, message: `* ${author} ${dialectText(message)}` };
  return { author, message: dialectText(message) };
}

/** One history message as a receive_message frame, or null for a deleted one. */
export function historyFrame(message: MessageView): string | null {
  if (message.deletedAt !== null) return null;
  const { author, message: text } = messageContent(message);
  return receiveMessageFrame(author, text);
}

export function joinedText(username: string): string {
  return `${username} has connected.`;
}

export function leftText(username: string): string {
  return `${username} has disconnected.`;
}

/** The frame every recipient of this event gets, the same for all of them (encoded once per event). */
export function encodeShared(event: EngineEvent): string | null {
  switch (event.type) {
    case 'message':
      return historyFrame(event.message);
    case 'presence_join':
      return roomNotice(joinedText(event.user.username));
    case 'presence_leave':
      return roomNotice(leftText(event.user.username));
    case 'system':
      return roomNotice(event.text);
    case 'room_deleted':
      return roomNotice(`The room ${event.room.name} has been deleted.`);
    default:
      return null;
  }
}

function duration(minutes: number | null): string {
  if (minutes === null) return 'until lifted';
  return minutes === 1 ? 'for 1 minute' : `for ${minutes} minutes`;
}

/** The frame for the user a moderation event is about (only they are told). */
export function encodeForTarget(event: EngineEvent): string | null {
  switch (event.type) {
    case 'muted': {
      const reason = event.reason ? `: ${event.reason}` : '';
      return roomNotice(`You have been muted ${duration(event.minutes)}${reason}.`);
    }
    case 'unmuted':
      return roomNotice('You are no longer muted.');
    case 'warning':
      return roomNotice(`Warning: ${event.reason}.`);
    default:
      return null;
  }
}

function inRoom(recipient: Recipient, roomId: number | null): boolean {
  if (recipient.roomId === null) return false;
  return roomId === null || roomId === recipient.roomId;
}

const sharedEncoding = sharedTextFrames(encodeShared);
const targetEncoding = sharedTextFrames(encodeForTarget);

/**
 * The frame this recipient gets for an event, or null when it gets none. A recipient outside any room gets
 * nothing: its client is showing the room list, where chat lines do not belong.
 */
export function frameFor(event: EngineEvent, recipient: Recipient): SharedTextFrame | null {
  switch (event.type) {
    case 'message':
    case 'presence_join':
    case 'presence_leave':
    case 'room_deleted':
      if (!inRoom(recipient, event.room.id)) return null;
      return encodeOnce(event, CHATROOM_FRAMING, sharedEncoding);
    case 'system':
      if (!inRoom(recipient, event.room?.id ?? null)) return null;
      return encodeOnce(event, CHATROOM_FRAMING, sharedEncoding);
    case 'muted':
    case 'unmuted':
      if (event.user.id !== recipient.userId || !inRoom(recipient, event.room?.id ?? null)) return null;
      return encodeOnce(event, `${CHATROOM_FRAMING}:target`, targetEncoding);
    case 'warning':
      // Told only to the warned user's own sessions (a user event), shown in whatever room they are in.
      if (recipient.roomId === null) return null;
      return encodeOnce(event, `${CHATROOM_FRAMING}:target`, targetEncoding);
    default:
      return null;
  }
}
