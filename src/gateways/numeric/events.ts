/**
 * Engine events as numeric frames. The same event object goes to every recipient, so each is encoded once
 * (encodeOnce with the 'numeric' framing); events the dialect has no frame for encode to null.
 */
import type { UserRef } from '../../core/types.js';
import type { EngineEvent, MessageView } from '../../engine/events.js';
import { encodeOnce } from '../encodeOnce.js';
import { dialectText } from '../kernel/messageText.js';
import { encodeFrame, TYPE } from './frames.js';
import type { ServerFrame } from './frames.js';
import { secondsOf, SERVER_USER } from './rules.js';
import { SharedTextFrame, sharedTextFrames } from '../wsFrame.js';

export const NUMERIC_FRAMING = 'numeric';
const NUMERIC_PRESENCE_FRAMING = 'numeric-presence';

/** A stored message as type 0 (text) or 7 (/me action); `history` marks the replay on join. */
export function messageFrame(message: MessageView, history: boolean): ServerFrame {
  const frame: ServerFrame = {
    type: message.kind === 'me' ? TYPE.action : TYPE.message,
    time: secondsOf(message.createdAt),
    dest: message.room,
    message: dialectText(message),
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
    default:
      // Edits, deletions, typing, room and moderation events, system replies and gaps have no numeric frame;
      // app-wide presence is a frame per user (presenceFrames).
      return null;
  }
}

/** The frame for `event`, encoded once however many numeric sessions receive it. */
export function sharedFrame(event: EngineEvent): SharedTextFrame | null {
  return encodeOnce(event, NUMERIC_FRAMING, encodeShared);
}

const encodeShared = sharedTextFrames(encodeEvent);

/** One login (type 2) or logout (type 3) frame of a presence batch, with whom it is about. */
export interface PresenceFrame {
  userId: number;
  login: boolean;
  frame: SharedTextFrame;
}

function encodePresence(event: EngineEvent): PresenceFrame[] {
  if (event.type !== 'online_changed') return [];
  const time = secondsOf(Date.now());
  const frame = (user: UserRef, login: boolean): PresenceFrame => ({
    userId: user.id,
    login,
    frame: new SharedTextFrame(
      encodeFrame({ type: login ? TYPE.login : TYPE.logout, time, user: user.username }),
    ),
  });
  return [
    ...event.offline.map((user) => frame(user, false)),
    ...event.online.map((user) => frame(user, true)),
  ];
}

/**
 * The dialect has no frame for many users at once: a batch of app-wide arrivals and departures is a login or
 * logout frame per user, each encoded once however many numeric sessions receive the batch.
 */
export function presenceFrames(event: Extract<EngineEvent, { type: 'online_changed' }>): PresenceFrame[] {
  return encodeOnce(event, NUMERIC_PRESENCE_FRAMING, encodePresence);
}
