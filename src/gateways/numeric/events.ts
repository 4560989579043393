/**
 * Engine events as numeric frames. The same event object goes to every recipient, so each is encoded once
 * (encodeOnce with the 'numeric' framing); events the dialect has no frame for encode to null.
 */
import type { EngineEvent, MessageView } from '../../engine/events.js';
import { encodeOnce } from '../encodeOnce.js';
import { encodeFrame, TYPE } from './frames.js';
import type { ServerFrame } from './frames.js';
import { secondsOf, SERVER_USER } from './rules.js';

export const NUMERIC_FRAMING = 'numeric';

/** A stored message as type 0 (text) or 7 (/me action); `history` marks the replay on join. */
export function messageFrame(message: MessageView, history: boolean): ServerFrame {
  const frame: ServerFrame = {
    type: message.kind === 'me' ? TYPE.action : TYPE.message,
    time: secondsOf(message.createdAt),
    dest: message.room,
    message: message.text,
    user: message.author?.username ?? SERVER_USER,
  };
  if (history) frame.history = true;
  return frame;
}

export function encodeEvent(event: EngineEvent): string | null {
  const time = secondsOf(Date.now());
  switch (event.type) {
    case 'message':
      return encodeFrame(messageFrame({ ...event.message, room: event.room.name }, false));
    case 'presence_join':
    case 'presence_leave':
      return encodeFrame({
        type: event.type === 'presence_join' ? TYPE.join : TYPE.leave,
        time,
        channel: event.room.name,
        user: event.user.username,
      });
    case 'user_online':
    case 'user_offline':
      return encodeFrame({
        type: event.type === 'user_online' ? TYPE.login : TYPE.logout,
        time,
        user: event.user.username,
      });
    default:
      // Edits, deletions, typing, room and moderation events, system replies and gaps have no numeric frame.
      return null;
  }
}

/** The frame for `event`, encoded once however many numeric sessions receive it. */
export function sharedFrame(event: EngineEvent): string | null {
  return encodeOnce(event, NUMERIC_FRAMING, encodeEvent);
}
