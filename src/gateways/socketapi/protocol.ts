/**
 * The socketapi dialect's wire vocabulary (docs/dialects/socketapi.md): event names, the models it speaks
 * (snake_case, as the original ChannelModel was) and the bounds on what a client may send.
 */
import { INBOX_LIMIT } from '../kernel/inbox.js';

/** The socket.io namespace of the dialect: `io(URL + '/socketapi', { query: { app: 'N' } })`. */
export const NAMESPACE = '/socketapi';

/** The `dialect` of the sessions this gateway opens (metrics, logs). */
export const DIALECT_NAME = 'socketapi';

/** The framing name under which pushed engine events are encoded once (see encodeOnce). */
export const FRAMING = 'socketapi';

/** Events a client may send. Only `auth` is in the original document; the rest are Parley extensions. */
export const CLIENT_EVENTS = [
  'auth',
  'get-channels',
  'get-online-users',
  'join-channel',
  'leave-channel',
  'send-message',
] as const;

export type ClientEvent = (typeof CLIENT_EVENTS)[number];

export function isClientEvent(name: string): name is ClientEvent {
  return (CLIENT_EVENTS as readonly string[]).includes(name);
}

/** Events the server sends. */
export const SERVER_EVENTS = {
  authSuccess: 'auth-success',
  error: 'socket-api-error',
  channelCreated: 'channel-created',
  channelUpdated: 'channel-updated',
  channelDeleted: 'channel-deleted',
  onlineStatusUpdated: 'online-status-updated',
  kickedFromWorkspace: 'kicked-from-workspace',
  channelsList: 'channels-list',
  onlineUsers: 'online-users',
  channelJoined: 'channel-joined',
  channelLeft: 'channel-left',
  messageSent: 'message-sent',
  messageCreated: 'message-created',
  messageUpdated: 'message-updated',
  messageDeleted: 'message-deleted',
  messagesMissed: 'messages-missed',
} as const;

/** `socket-api-error-${transaction}`: the per-transaction error event, whose data is the message text. */
export function transactionErrorEvent(transaction: string): string {
  return `${SERVER_EVENTS.error}-${transaction}`;
}

/** Bounds on client input; the engine applies its exact rules (message length, flood) after these. */
export const LIMITS = {
  /** `transaction`: a non-empty string of at most this many characters. */
  transaction: 128,
  /** An access token (or a JWT, which can be long). */
  token: 16_384,
  /** Message text before the app's own maxMessageLength applies. */
  text: 65_536,
  /** The `event` named in socket-api-error is cut to this many characters. */
  eventName: 128,
  /** Requests held on one connection (the kernel's inbox bound); more are refused with rate_limited. */
  pendingRequests: INBOX_LIMIT,
} as const;

/** The original server's ChannelModel (a workspace is a Parley app, a channel a Parley room). */
export interface ChannelModel {
  id: number;
  name: string;
  is_private: boolean;
  workspace_id: number;
  creator_id: number | null;
}

/** A message in the same snake_case style (a Parley extension: the original document has no messages). */
export interface MessageModel {
  id: number;
  channel_id: number;
  user_id: number | null;
  username: string | null;
  kind: 'text' | 'me' | 'system';
  text: string;
  /** The text rendered to safe HTML by the server. */
  html: string;
  /** ISO 8601. */
  created_at: string;
  edited_at: string | null;
}

export interface UserModel {
  id: number;
  username: string;
}

export interface ErrorData {
  event: string;
  message: string;
}

export type OnlineStatus = 'online' | 'offline';
