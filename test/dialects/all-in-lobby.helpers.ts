/**
 * Helpers for test/dialects/all-in-lobby.test.ts: one "seat" per protocol in app 1's lobby, each reading its
 * own dialect's events into one common list of observations (messages, joins, leaves) so that the test can
 * ask every seat the same questions, while keeping each raw payload to check the dialect's shape.
 *
 * Waiting never consumes: every client records everything it receives, and a wait scans that whole record, so
 * messages from concurrent senders may arrive in any order without one wait skipping another's event.
 */
import type { ParleyClient } from '../../src/client/index.js';
import type { ClientEventMap } from '../../src/client/index.js';
import { waitFor } from '../helpers/wait.js';
import type { ChatroomClient } from './chatroom/helpers.js';
import type { EventchatClient } from './eventchat/helpers.js';
import type { MpClient } from './moneypot/helpers.js';
import type { NumericClient } from './numeric/helpers.js';

/** The room every seat sits in: app 1's lobby (the moneypot dialect's one room). */
export const LOBBY = 'lobby';

/** Waits on a loaded machine: generous, but every wait ends as soon as its event is there. */
export const WAIT_MS = 12_000;

export type Dialect = 'eventchat' | 'chatroom' | 'moneypot' | 'numeric' | 'native';

export type Observation =
  | { kind: 'message'; author: string; text: string; raw: unknown }
  | { kind: 'join' | 'leave'; user: string; raw: unknown };

export type Rec = Record<string, unknown>;

function isRec(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A user of one protocol sitting in the lobby. */
export interface Seat {
  readonly dialect: Dialect;
  readonly username: string;
  /** Everything received so far that is a lobby message, join or leave, in order of arrival. */
  observed(): Observation[];
}

/** eventchat: `message {id, user, content, raw_content}`, `join {user}`, `leave {user}`. */
export function eventchatSeat(client: EventchatClient, username: string): Seat {
  return {
    dialect: 'eventchat',
    username,
    observed() {
      const out: Observation[] = [];
      for (const frame of client.frames) {
        const data = isRec(frame.data) ? frame.data : {};
        if (frame.event === 'message' && data.user !== '[system]') {
          out.push({ kind: 'message', author: str(data.user), text: str(data.raw_content), raw: frame.data });
        } else if (frame.event === 'join' || frame.event === 'leave') {
          out.push({ kind: frame.event, user: str(data.user), raw: frame.data });
        }
      }
      return out;
    },
  };
}

const CONNECTED = /^(.+) has connected\.$/;
const DISCONNECTED = /^(.+) has disconnected\.$/;

/** chatroom: every happening is a `receive_message`; joins and leaves are `[Room]` lines. */
export function chatroomSeat(client: ChatroomClient, username: string): Seat {
  return {
    dialect: 'chatroom',
    username,
    observed() {
      const out: Observation[] = [];
      for (const frame of client.log) {
        if (frame.statusCode !== 'ok' || frame.type !== 'receive_message' || !isRec(frame.data)) continue;
        const author = str(frame.data.author);
        const message = str(frame.data.message);
        if (author !== '[Room]') {
          out.push({ kind: 'message', author, text: message, raw: frame });
          continue;
        }
        const joined = CONNECTED.exec(message);
        const left = DISCONNECTED.exec(message);
        if (joined?.[1]) out.push({ kind: 'join', user: joined[1], raw: frame });
        else if (left?.[1]) out.push({ kind: 'leave', user: left[1], raw: frame });
      }
      return out;
    },
  };
}

/** moneypot: `new_message {user: {uname, role}, id, text}`, `user_joined` / `user_left {uname, role}`. */
export function moneypotSeat(client: MpClient, username: string): Seat {
  return {
    dialect: 'moneypot',
    username,
    observed() {
      const out: Observation[] = [];
      for (const [name, payload] of client.received) {
        if (!isRec(payload)) continue;
        if (name === 'new_message') {
          const user = isRec(payload.user) ? payload.user : {};
          out.push({ kind: 'message', author: str(user.uname), text: str(payload.text), raw: payload });
        } else if (name === 'user_joined' || name === 'user_left') {
          const kind = name === 'user_joined' ? 'join' : 'leave';
          out.push({ kind, user: str(payload.uname), raw: payload });
        }
      }
      return out;
    },
  };
}

/** numeric: live type 0 (history replays left out), type 4 / type 5 for the lobby channel. */
export function numericSeat(client: NumericClient, username: string): Seat {
  return {
    dialect: 'numeric',
    username,
    observed() {
      const out: Observation[] = [];
      for (const frame of client.frames) {
        if (frame.type === 0 && frame.history !== true && frame.dest === LOBBY) {
          out.push({ kind: 'message', author: str(frame.user), text: str(frame.message), raw: frame });
        } else if ((frame.type === 4 || frame.type === 5) && frame.channel === LOBBY) {
          out.push({ kind: frame.type === 4 ? 'join' : 'leave', user: str(frame.user), raw: frame });
        }
      }
      return out;
    },
  };
}

/** native: `message`, `presence_join`, `presence_leave` of the lobby, recorded from the moment of the call. */
export function nativeSeat(client: ParleyClient, username: string): Seat {
  const log: Observation[] = [];
  client.on('message', (event: ClientEventMap['message']) => {
    if (event.room.name !== LOBBY) return;
    log.push({
      kind: 'message',
      author: event.message.author?.username ?? '',
      text: event.message.text,
      raw: event,
    });
  });
  client.on('presence_join', (event: ClientEventMap['presence_join']) => {
    if (event.room.name === LOBBY) log.push({ kind: 'join', user: event.user.username, raw: event });
  });
  client.on('presence_leave', (event: ClientEventMap['presence_leave']) => {
    if (event.room.name === LOBBY) log.push({ kind: 'leave', user: event.user.username, raw: event });
  });
  return { dialect: 'native', username, observed: () => [...log] };
}

/**
 * Waits until `seat` has observed something matching `match`; resolves with it and its position in
 * `seat.observed()` (for order checks). Nothing is consumed: later waits may find earlier observations.
 */
export async function waitObserved(
  seat: Seat,
  match: (o: Observation) => boolean,
  label: string,
): Promise<{ observation: Observation; index: number }> {
  return waitFor(
    () => {
      const all = seat.observed();
      const index = all.findIndex(match);
      const observation = all[index];
      return observation ? { observation, index } : null;
    },
    { timeoutMs: WAIT_MS, label: `${label} at the ${seat.dialect} seat (${seat.username})` },
  );
}

export const isMessage =
  (author: string, text: string) =>
  (o: Observation): boolean =>
    o.kind === 'message' && o.author === author && o.text === text;

export const isPresence =
  (kind: 'join' | 'leave', user: string) =>
  (o: Observation): boolean =>
    o.kind === kind && o.user === user;

/** Texts of every message `seat` received so far. */
export function messageTexts(seat: Seat): string[] {
  return seat.observed().flatMap((o) => (o.kind === 'message' ? [o.text] : []));
}

let counter = 0;
/** A text no other message of the run has: letters, digits and dashes only, so that markdown leaves it alone. */
export function uniqueText(label: string): string {
  counter += 1;
  return `${label}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}
