/**
 * The eventchat dialect's wire vocabulary (docs/dialects/eventchat.md): event names in both directions and the
 * shapes of what the server emits. The document's keys are kept as written (`Code` with a capital C,
 * `raw_content`), whatever the original server's code did.
 */

/** The socket.io namespace the dialect is served on. */
export const EVENTCHAT_NAMESPACE = '/eventchat';

/** The dialect's name, as registered with the engine (session meta) and used for encodeOnce. */
export const EVENTCHAT_DIALECT = 'eventchat';

/** Events a client may send. */
export const CLIENT_EVENT = {
  /** Documented as "used to establish connection": connecting is that, so an explicit one is a no-op. */
  connection: 'connection',
  auth: 'Auth',
  message: 'message',
  // Moderator events of the seed's later versions (extensions).
  kick: 'kick',
  mute: 'mute',
  ban: 'ban',
  deleteMessage: 'deleteMessage',
} as const;

/** Events the server emits. */
export const SERVER_EVENT = {
  connection: 'connection',
  auth: 'Auth',
  message: 'message',
  cerror: 'cerror',
  // Extensions (documented as such).
  users: 'users',
  join: 'join',
  leave: 'leave',
  mute: 'mute',
  ban: 'ban',
  deleteMessage: 'deleteMessage',
} as const;

/** The author shown for text that comes from the server itself; no username can contain brackets. */
export const SYSTEM_USER = '[system]';

export const AUTH_COMPLETE = 'Authentification complete';
export const AUTH_REQUIRED = 'Authentification required';
export const ALREADY_LOGGED_IN = 'Already logged in';
export const BAD_LOGIN = 'Invalid user or password';

/** `Auth` (server → client) after a successful authentication. */
export interface AuthFrame {
  Code: 200;
  message: string;
}

/** `cerror`: something the client did (or the connection's state) went wrong. `Code` is an HTTP status. */
export interface CerrorFrame {
  Code: number;
  message: string;
}

/** `message` (server → client). `id` is an extension: the id `deleteMessage` takes (absent on system text). */
export interface MessageFrame {
  id?: number;
  user: string;
  /** Parley's own safe HTML rendering of `raw_content`. */
  content: string;
  raw_content: string;
}

/** `users`: who is in the room right after `Auth` (extension). */
export interface UsersFrame {
  users: string[];
}

/** `join` / `leave`: someone came into or left the room (extension). */
export interface PresenceFrame {
  user: string;
}

/** `mute` (server → client): you are muted for `duration` more seconds (null: until a moderator unmutes). */
export interface MuteFrame {
  duration: number | null;
}

/** `ban` (server → client): you are banned; the connection closes right after. */
export interface BanFrame {
  message: string;
  reason: string;
}

/** `deleteMessage` (server → client): the message with this id was removed. */
export interface DeleteMessageFrame {
  id: number;
}

/** One outbound event: its name and its single data argument (none for `connection`). */
export interface OutboundFrame {
  event: string;
  data?: unknown;
}
