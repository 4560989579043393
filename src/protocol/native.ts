/**
 * The native protocol: one table of operations and one list of server events, carried by two framings (plain
 * WebSocket at `/ws`, socket.io on namespace `/`). This folder is the wire's source of truth: the gateway
 * (src/gateways/native) maps the engine's values onto these types and the typed client (src/client) builds on
 * them. It imports nothing else of Parley's, so that it can be published on its own. Described in
 * docs/protocol.md.
 */
import type { ErrorBody } from './errors.js';
import type {
  Ban,
  DmView,
  HistoryPage,
  JoinResult,
  MessageView,
  Mute,
  PinView,
  ReactionResult,
  ReadReceipt,
  ReadResult,
  RoomView,
  RoomVisibility,
  SendResult,
  User,
  UserRef,
} from './views.js';
import type { SearchPage, SearchRequest } from './search.js';
import type {
  QueueEntry,
  QueuePage,
  QueueRequest,
  ReportRequest,
  ReportResult,
  ResolveRequest,
  ShadowMute,
} from './reports.js';

export { DISCONNECT_REASONS } from './disconnect.js';
export type { DisconnectReason, DisconnectReasonData } from './disconnect.js';
export { ERROR_CODES } from './errors.js';
export type { ErrorBody, ErrorCode } from './errors.js';
export { NATIVE_EVENTS } from './events.js';
export type { NativeEventData, NativeEventMap, NativeEventName, ServerEvent, WsPushFrame } from './events.js';
export type {
  Ban,
  DmView,
  Gap,
  HistoryPage,
  JoinResult,
  MessageKind,
  MessageView,
  Mute,
  PinView,
  ReactionCount,
  ReactionResult,
  ReadReceipt,
  ReadResult,
  Role,
  RoomRef,
  RoomView,
  RoomVisibility,
  SendResult,
  User,
  UserKind,
  UserRef,
} from './views.js';
export type { SearchHit, SearchPage, SearchRequest } from './search.js';
export type {
  AuthorSummary,
  QueueEntry,
  QueuePage,
  QueueReason,
  QueueRequest,
  ReportAction,
  ReportEntry,
  ReportReason,
  ReportRequest,
  ReportResult,
  ResolveRequest,
  ShadowMute,
} from './reports.js';

/** Every operation name, in the order docs/protocol.md lists them. */
export const NATIVE_OPS = [
  'auth',
  'refresh',
  'upgrade',
  'rooms.list',
  'rooms.create',
  'rooms.slow_mode',
  'rooms.page',
  'join',
  'leave',
  'send',
  'edit',
  'delete',
  'history',
  'typing',
  'members',
  'watch_online',
  'mute',
  'unmute',
  'ban',
  'unban',
  'kick',
  'ping',
  'replies',
  'pin',
  'unpin',
  'pins',
  'react',
  'unreact',
  'read',
  'receipts',
  'search',
  'dm.open',
  'dm.list',
  'block',
  'unblock',
  'blocks',
  'profile.set',
  'report',
  'reports.list',
  'report.resolve',
  'shadow_mute',
  'unshadow_mute',
] as const;

export type NativeOp = (typeof NATIVE_OPS)[number];

/**
 * Credentials a client can present, in-band (`auth`) or in the handshake. `guest` is the nickname;
 * `verification` the token of the app's verification service, which an app may ask new guests for.
 */
export type AuthRequest =
  | { token: string }
  | { jwt: string }
  | { username: string; password: string }
  | { guest: string; verification?: string }
  /** A bot's API key (docs/bots.md). */
  | { apiKey: string };

export interface AuthResult {
  user: User;
  /** When the credentials stop being valid (ms since epoch); null for never. Refresh before then. */
  expiresAt: number | null;
  /** Guests only: a token to authenticate with on reconnect, so that the guest stays the same user. */
  resumeToken?: string;
}

/**
 * A guest signs in on its live connection (`upgrade`): an access token, a site JWT, or a username and password
 * (`register: true` creates the account, as the REST register does).
 */
export type UpgradeRequest =
  { token: string } | { jwt: string } | { username: string; password: string; register?: boolean };

export interface UpgradeResult {
  /** The user the connection now is. */
  user: User;
  /** When the new credentials stop being valid (ms since epoch); null for never. Refresh before then. */
  expiresAt: number | null;
  /** With a username and password: an access token to reconnect with (as the REST login gives one). */
  token?: string;
}

/** No fields: the operation succeeded and has nothing to say. */
export type EmptyResult = Record<string, never>;

export interface NativeOperations {
  auth: { request: AuthRequest; result: AuthResult };
  refresh: { request: { token: string } | { jwt: string }; result: { expiresAt: number | null } };
  upgrade: { request: UpgradeRequest; result: UpgradeResult };
  'rooms.list': { request: EmptyRequest; result: { rooms: RoomView[] } };
  'rooms.create': {
    request: { name: string; visibility?: RoomVisibility; topic?: string };
    result: { room: RoomView };
  };
  /** Mods and up: the room's slow mode, 0 (off) to 21600 seconds; told to the room as `slow_mode_changed`. */
  'rooms.slow_mode': { request: { room: string; seconds: number }; result: { room: RoomView } };
  /** The room of a page of the site (by its URL), created on first use where the app allows; then `join` it. */
  'rooms.page': { request: { url: string }; result: PageRoom };
  join: { request: { room: string; sinceSeq?: number }; result: JoinResult };
  leave: { request: { room: string }; result: EmptyResult };
  send: {
    request: { room: string; text: string; clientMsgId?: string; replyTo?: number; attachments?: string[] };
    result: SendResult;
  };
  edit: { request: { room: string; id: number; text: string }; result: { message: MessageView } };
  delete: { request: { room: string; id: number }; result: { message: MessageView } };
  history: {
    request: { room: string; before?: number; after?: number; limit?: number };
    result: HistoryPage;
  };
  typing: { request: { room: string; typing: boolean }; result: EmptyResult };
  members: { request: { room: string }; result: { online: UserRef[] } };
  watch_online: { request: EmptyRequest; result: { online: UserRef[] } };
  mute: {
    request: { user: string; room?: string; minutes?: number; reason?: string };
    result: { mute: Mute };
  };
  unmute: { request: { user: string; room?: string }; result: EmptyResult };
  ban: { request: { user: string; minutes?: number; reason?: string }; result: { ban: Ban } };
  unban: { request: { user: string }; result: EmptyResult };
  kick: { request: { user: string; reason?: string }; result: EmptyResult };
  ping: { request: EmptyRequest; result: { time: number } };
  replies: {
    request: { room: string; id: number; before?: number; after?: number; limit?: number };
    result: HistoryPage;
  };
  pin: { request: { room: string; id: number }; result: { pin: PinView } };
  unpin: { request: { room: string; id: number }; result: EmptyResult };
  pins: { request: { room: string }; result: { pins: PinView[] } };
  react: { request: { room: string; id: number; emoji: string }; result: ReactionResult };
  unreact: { request: { room: string; id: number; emoji: string }; result: ReactionResult };
  /** Moves your read marker in the room forward to `seq` (clamped to the room's last seq; never back). */
  read: { request: { room: string; seq: number }; result: ReadResult };
  /** Who has read the room up to which seq; null where the app has no read receipts or the room is too big. */
  receipts: { request: { room: string }; result: { receipts: ReadReceipt[] | null } };
  search: { request: SearchRequest; result: SearchPage };
  'dm.open': { request: { user: string }; result: { room: RoomView } };
  'dm.list': { request: EmptyRequest; result: { dms: DmView[] } };
  block: { request: { user: string }; result: { user: UserRef } };
  unblock: { request: { user: string }; result: EmptyResult };
  blocks: { request: EmptyRequest; result: { users: UserRef[] } };
  /** Your own display name and avatar URL: null clears, an absent field stays; answers you as now. */
  'profile.set': { request: ProfileRequest; result: { user: UserRef } };
  /** Reports a message of a room you may see; once per message (again: your first report, `duplicate`). */
  report: { request: ReportRequest; result: ReportResult };
  /** Staff: the moderation queue, newest message first. */
  'reports.list': { request: QueueRequest; result: QueuePage };
  /** Staff: resolves an open queue entry in one step; answers the entry as resolved. */
  'report.resolve': { request: ResolveRequest; result: { entry: QueueEntry } };
  /** Staff: the user's new messages are seen by them and staff only, until lifted. */
  shadow_mute: {
    request: { user: string; minutes?: number; reason?: string };
    result: { shadowMute: ShadowMute };
  };
  unshadow_mute: { request: { user: string }; result: EmptyResult };
}

/** A page's room (`rooms.page`): its name, the page's canonical URL, and whether this call created it. */
export interface PageRoom {
  room: string;
  url: string;
  created: boolean;
}

/** A change of one's profile (`profile.set`). */
export interface ProfileRequest {
  /** 1-64 characters once trimmed, no control characters; null clears. */
  displayName?: string | null;
  /** An https URL of at most 512 characters; null clears. */
  avatarUrl?: string | null;
}

/** Operations without fields accept `{}` or no data at all. */
export type EmptyRequest = Record<string, never>;

export type OpRequest<O extends NativeOp> = NativeOperations[O]['request'];
export type OpResult<O extends NativeOp> = NativeOperations[O]['result'];

/** A request id chosen by the client; echoed in the reply. */
export type RequestId = string | number;

// ---- plain WebSocket framing ----

/** Client → server. */
export interface WsRequestFrame<O extends NativeOp = NativeOp> {
  id: RequestId;
  op: O;
  data?: OpRequest<O>;
}

/** Server → client, one per request. `id` is null when the frame could not be read at all. */
export type WsReplyFrame<R = unknown> =
  { id: RequestId; ok: true; data: R } | { id: RequestId | null; ok: false; error: ErrorBody };

// ---- socket.io framing ----

/** What a socket.io ack callback receives. */
export type Ack<R = unknown> = { ok: true; data: R } | { ok: false; error: ErrorBody };
