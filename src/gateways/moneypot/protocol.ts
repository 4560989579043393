/**
 * The moneypot dialect's wire vocabulary (seed 002, docs/dialects/moneypot.md): the socket.io namespace, event
 * names, payload shapes, callback error constants and the texts of `client_error` and `system_message`.
 */
import type { Role } from '../../core/roles.js';
import { INBOX_LIMIT } from '../kernel/inbox.js';

export const MONEYPOT_DIALECT = 'moneypot';
export const MONEYPOT_NAMESPACE = '/moneypot';

/** Events the client sends. */
export const CLIENT_EVENTS = {
  auth: 'auth',
  newMessage: 'new_message',
} as const;

/** Events the server pushes. */
export const SERVER_EVENTS = {
  userJoined: 'user_joined',
  userLeft: 'user_left',
  userMuted: 'user_muted',
  userUnmuted: 'user_unmuted',
  newMessage: 'new_message',
  clientError: 'client_error',
  systemMessage: 'system_message',
  /** Parley's own: sent just before the server ends the socket (the same payload as the native protocol's). */
  disconnectReason: 'disconnect_reason',
} as const;

/**
 * The string a callback's `err` carries. The document names INTERNAL_ERROR and USER_REQUIRED; the others are
 * Parley's, for cases the document leaves open (each one also comes with a client_error or system_message).
 */
export const CALLBACK_ERRORS = {
  internal: 'INTERNAL_ERROR',
  userRequired: 'USER_REQUIRED',
  clientError: 'CLIENT_ERROR',
  muted: 'MUTED',
  rateLimited: 'RATE_LIMITED',
  banned: 'BANNED',
} as const;

export type CallbackError = (typeof CALLBACK_ERRORS)[keyof typeof CALLBACK_ERRORS];

/** The document's text rule: 1-140 characters after trimming. */
export const TEXT_MAX = 140;
/** hashed_token values longer than this are refused as client errors (a sha256 hex is 64 characters). */
export const HASHED_TOKEN_MAX = 1024;
/** Messages held on one socket (the one being handled included): the kernel's inbox bound. */
export const MAX_PENDING_MESSAGES = INBOX_LIMIT;
/** Events held for a socket while its auth is being answered; more than this and it is a slow consumer. */
export const MAX_HELD_EVENTS = 10_000;
/** Longest event name quoted back in a client_error. */
const QUOTED_NAME_MAX = 64;

export const CLIENT_ERRORS = {
  authNoCallback: 'auth needs a callback as its last argument: socket.emit("auth", payload, fn(err, data))',
  authArguments: 'auth takes one payload and a callback: socket.emit("auth", payload, fn(err, data))',
  authNotObject: 'auth payload must be an object { app_id: Integer, hashed_token: String (optional) }',
  authMissingAppId: 'auth payload needs app_id (an integer)',
  authBadAppId: 'app_id must be a positive integer',
  authBadHashedToken: `hashed_token must be a string of at most ${HASHED_TOKEN_MAX} characters`,
  authUnknownKeys: (keys: string[]) =>
    `auth payload has unknown keys: ${keys.map((k) => JSON.stringify(k.slice(0, QUOTED_NAME_MAX))).join(', ')}`,
  authUnknownApp: (appId: number) => `There is no app with app_id ${appId}`,
  authOriginNotAllowed: 'The page origin is not allowed for this app',
  authAlready: 'This socket has already sent auth; only the first auth counts',
  authFirst: 'Send auth (and wait for its callback) before new_message',
  messageArguments: 'new_message takes the text and a callback: socket.emit("new_message", text, fn(err))',
  textNotString: 'text must be a string',
  textLength: `text must be 1-${TEXT_MAX} characters after trimming`,
  tooLong: (max: number) => `text is longer than this app allows (${max} characters)`,
  tooManyPending: `More than ${MAX_PENDING_MESSAGES} messages are waiting for their callbacks; slow down`,
  unknownEvent: (name: string) =>
    `Unknown event ${JSON.stringify(name.slice(0, QUOTED_NAME_MAX))}; send auth or new_message`,
} as const;

export const SYSTEM_MESSAGES = {
  muted: 'You are muted',
  notAuthorized: 'You are not authorized to do that',
  invalidMute: 'Invalid mute command',
  invalidUnmute: 'Invalid unmute command',
  notInMutelist: 'User not in mutelist',
  banned: 'You are banned',
  rateLimited: (retryAfterMs: number) =>
    `You are sending messages too fast; wait ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s`,
  slowMode: (retryAfterMs: number) =>
    `This room is in slow mode; wait ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s`,
} as const;

// ------------------------------------------------------------------------------------------------ payloads

/** A user as the document shows it; `role` is the Parley role (owner, admin, mod, member or guest). */
export interface MoneypotUser {
  id: number;
  uname: string;
  role: Role;
}

export interface MoneypotAuthor {
  uname: string;
  role: Role;
}

export interface MoneypotMessage {
  id: number;
  user: MoneypotAuthor;
  text: string;
}

/** A mute as the document shows it; `mins` and `expires_at` are null for a mute that lasts until lifted. */
export interface MoneypotMute {
  uname: string;
  mins: number | null;
  expires_at: string | null;
}

export interface MoneypotRoom {
  users: Record<string, MoneypotUser>;
  history: MoneypotMessage[];
  muteList: Record<string, MoneypotMute>;
}

/** The `data` of a successful auth. */
export interface MoneypotAuthData {
  user?: MoneypotUser;
  room: MoneypotRoom;
}

/** The pushed events and their payloads. */
export interface MoneypotPushMap {
  user_joined: MoneypotAuthor;
  user_left: MoneypotAuthor;
  user_muted: MoneypotMute;
  user_unmuted: { uname: string };
  new_message: MoneypotMessage;
}

export type MoneypotPush = {
  [K in keyof MoneypotPushMap]: { name: K; payload: MoneypotPushMap[K] };
}[keyof MoneypotPushMap];
