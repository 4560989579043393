import type { WebhookAdmin } from '../core/webhooks.js';
import type { BotPatch, BotView, NewBot } from '../core/bots.js';
import type { FilterVerdict } from '../core/contentFilter.js';
import type { Strike } from '../core/escalation.js';
import type { Disconnect } from '../core/disconnect.js';
import type { ErrorCode } from '../core/errors.js';
import type { Role } from '../core/roles.js';
import type {
  App,
  AppId,
  AppSettingsPatch,
  Ban,
  ModerationRecord,
  Mute,
  ReactionCount,
  RoomVisibility,
  User,
  UserRef,
  RoomPatch,
} from '../core/types.js';
import type { Credentials, IssuedToken, Principal } from '../core/identity.js';
import type { EngineEvent, MessageView, PinView, RoomView } from './events.js';
import type { StorageHealthView } from './storageHealth.js';
import type { BotWithKey } from './bots.js';
import type { DmView } from './dms.js';
import type {
  QueueEntryView,
  QueuePage,
  QueueQuery,
  ResolveInput,
  SessionReportsApi,
} from './reportViews.js';
import type { ShadowMute } from './ports/reportStore.js';
import type { PageRoomResult } from './pageRooms.js';
import type { ErasureRecord } from './ports/dataProtectionStore.js';

export type { StorageHealthView } from './storageHealth.js';
export type { WalStats } from './ports/store.js';
export type { DmView } from './dms.js';
export type { ErasureRecord } from './ports/dataProtectionStore.js';
export type {
  AuthorSummary,
  QueueEntryView,
  QueuePage,
  QueueQuery,
  ReportEntry,
  ReportResult,
  ResolveInput,
} from './reportViews.js';
export type { ShadowMute } from './ports/reportStore.js';
export type { SessionReportsApi } from './reportViews.js';
export type { PageRoomResult } from './pageRooms.js';
import type { EngineAttachments } from './attachmentsApi.js';
import type { EngineAccessAdmin } from './accessApi.js';
export type {
  AuditPage,
  AuditQuery,
  AuditRecordInput,
  EngineAccessAdmin,
  RevokedUser,
  TokenView,
} from './accessApi.js';

/** The outbound side of one connection, implemented by each gateway. */
export interface SessionSink {
  /** Push one event. The event object is shared by every recipient: encode it with encodeOnce. */
  deliver(event: EngineEvent): void;
  /** Bytes written but not yet sent; the engine disconnects a session whose buffer is over the bound. */
  bufferedBytes(): number;
  /** Tell the client why, then close the connection. The gateway calls session.close() when it is closed. */
  terminate(reason: Disconnect): void;
}

/** How a connection came in, and what it wants to hear beyond the rooms it joins. */
export interface SessionMeta {
  transport: string;
  dialect: string;
  /**
   * Hear `user_online` / `user_offline` for every user of the app from the start. Off by default: in a big app
   * every arrival would be told to every connection. Native clients ask with `watch_online`.
   */
  appPresence?: boolean;
}

export interface JoinOptions {
  /** The last seq the client saw in this room: the join replays what came after it. */
  sinceSeq?: number;
  /**
   * Create the room, public, when there is none of that name (dialects whose channels come into being when
   * first joined). The engine's one room-creation policy decides whether this user may.
   */
  create?: boolean;
}

export interface Gap {
  /** Messages with afterSeq < seq < beforeSeq were not replayed. Page back with history({ before: beforeSeq }). */
  afterSeq: number;
  beforeSeq: number;
  missed: number;
}

export interface JoinResult {
  room: RoomView;
  messages: MessageView[];
  /** Set when more was missed than the replay limit: the client is told, never silently skipped. */
  gap: Gap | null;
  lastSeq: number;
  online: UserRef[];
}

export interface HistoryPage {
  messages: MessageView[];
  /** Pass as `before` (when paging back) or `after` (paging forward) for the next page; null at the end. */
  nextCursor: number | null;
}

export interface HistoryQuery {
  before?: number;
  after?: number;
  limit?: number;
}

export type SendResult =
  | { kind: 'message'; message: MessageView; duplicate: boolean }
  /**
   * A slash command ran (or was refused: `error` is then its catalogue code); `text` is the system message the
   * sender also receives as a `system` event.
   */
  | { kind: 'command'; command: string; text: string; error: ErrorCode | null };

export interface SendInput {
  text: string;
  clientMsgId?: string | null;
  /** The text is the message as it is: slash commands are not read from it. */
  literal?: boolean;
  /** 'me': an action ("/me waves" without the command), for dialects that carry actions separately. */
  kind?: 'text' | 'me';
  /** The id of the message this one answers: a message of the same room, not deleted (core/replies.ts). */
  replyTo?: number | null;
  /** Ids of the sender's uploads for the room (docs/attachments.md); with some, `text` may be empty. */
  attachments?: string[];
}

/** What a reaction (`react`, `unreact`) answers. */
export interface ReactionResult {
  messageId: number;
  emoji: string;
  /** How many users react with the emoji now. */
  count: number;
  /** False when nothing changed: the reaction was there already (react) or was not there (unreact). */
  changed: boolean;
  /** The message's reactions now, with `me` for the one who reacted. */
  reactions: ReactionCount[];
}

export interface ReactionInput {
  username: string;
  emoji: string;
}

/** A mute with the muted user's name, for lists shown to moderators. */
export interface ReadResult {
  room: string;
  seq: number;
  unread: number;
  unreadMentions: number;
}

export interface ReadReceipt {
  user: UserRef;
  seq: number;
}

export interface RoomUnread {
  room: string;
  roomId: number;
  /** The read marker. */
  seq: number;
  unread: number;
  unreadMentions: number;
}

export interface UserUnread {
  user: UserRef;
  rooms: RoomUnread[];
}

export interface NamedMute extends Mute {
  username: string;
}

/**
 * What a guest upgrades with (native `upgrade`, upgrade.ts): an access token, a site JWT, or a username and
 * password, which sign in to an existing account or, with `register`, create one (as the REST API's login and
 * register do).
 */
export type UpgradeRequest =
  | { kind: 'token'; token: string }
  | { kind: 'jwt'; jwt: string }
  | { kind: 'password'; username: string; password: string; register?: boolean };

export interface UpgradeResult {
  /** The session's new principal: the user the guest became, and when these credentials expire. */
  principal: Principal;
  /** Signed in with a username and password: a token to reconnect with, as the REST login gives one. */
  token?: string;
}

export interface ModerationTarget {
  username: string;
}

export interface MuteOptions {
  /** Room name; absent mutes in the whole app. */
  room?: string;
  /** Absent: until unmuted. */
  minutes?: number;
  reason?: string;
}

/** One authenticated connection. Every method checks the session's rights; errors are ParleyErrors. */
export interface Session {
  readonly id: string;
  readonly appId: AppId;
  readonly user: UserRef;
  readonly principal: Principal;
  /** Names of the rooms this session has joined. */
  readonly rooms: ReadonlySet<string>;

  /**
   * Every call counts against the user's rate limit for its operation (docs/protocol.md), except a look-up a
   * gateway makes on its own to handle a push (`counted: false`), which no client asked for.
   */
  /** `unread`: each room's unread counts for this user (native rooms.list; see readState.ts). */
  listRooms(opts?: { counted?: boolean; unread?: boolean }): Promise<RoomView[]>;
  createRoom(input: { name: string; visibility?: RoomVisibility; topic?: string }): Promise<RoomView>;
  join(room: string, opts?: JoinOptions): Promise<JoinResult>;
  leave(room: string): Promise<void>;
  send(room: string, input: SendInput): Promise<SendResult>;
  edit(room: string, messageId: number, text: string): Promise<MessageView>;
  remove(room: string, messageId: number): Promise<MessageView>;
  history(room: string, query: HistoryQuery): Promise<HistoryPage>;
  typing(room: string, typing: boolean): void;
  members(room: string): Promise<{ online: UserRef[] }>;
  /** Hear app-wide `user_online` / `user_offline` from now on; returns who is online in the app now. */
  watchOnline(): { online: UserRef[] };

  mute(target: string, opts: MuteOptions): Promise<Mute>;
  unmute(target: string, opts: { room?: string }): Promise<void>;
  ban(target: string, opts: { minutes?: number; reason?: string }): Promise<Ban>;
  unban(target: string): Promise<void>;
  kick(target: string, opts: { reason?: string }): Promise<void>;
  /** The mutes in force in the app, with the muted user's name (staff only: `forbidden` otherwise). */
  listMutes(): Promise<NamedMute[]>;

  /** The replies to a message of a room the user may see, paged by seq as history is. */
  replies(room: string, messageId: number, query: HistoryQuery): Promise<HistoryPage>;
  /** Pin a message of the room (mods and above; `forbidden` otherwise); at most PINS_MAX per room. */
  pin(room: string, messageId: number): Promise<PinView>;
  unpin(room: string, messageId: number): Promise<void>;
  /** The room's pinned messages, newest pin first (whoever may see the room). */
  pins(room: string): Promise<PinView[]>;
  /** The DM room with the user named `user` (created on first use); see dms.ts. */
  openDm(user: string): Promise<RoomView>;
  /** The user's DMs, with the other member and the newest message. */
  listDms(): Promise<DmView[]>;
  /** From now on the user receives none of `user`'s messages, and `user` cannot open or write a DM to them. */
  block(user: string): Promise<UserRef>;
  unblock(user: string): Promise<void>;
  blocks(): Promise<UserRef[]>;
  /** The user sets their own display name and avatar URL (null clears, absent keeps); answers the user as now. */
  setProfile(profile: { displayName?: string | null; avatarUrl?: string | null }): Promise<UserRef>;
  /** Mods and up: the room's slow mode, 0-21600 seconds (0: off); told to the room as `slow_mode_changed`. */
  setSlowMode(room: string, seconds: number): Promise<RoomView>;

  /** New credentials for the same user: the session keeps its rooms and takes the new expiry. */
  refresh(credentials: Credentials): Promise<Principal>;
  /**
   * A guest session becomes the user the credentials are for, in place: same connection, same rooms, where the
   * room hears `user_renamed` instead of a leave and a join (upgrade.ts). Only a guest may (`forbidden`).
   */
  upgrade(request: UpgradeRequest): Promise<UpgradeResult>;
  /** Moves the user's read marker in the room forward to `seq` (clamped to the room's last seq). */
  read(room: string, seq: number): Promise<ReadResult>;
  /** Who has read the room up to which seq; null where the app has no read receipts or the room is too big. */
  receipts(room: string): Promise<{ receipts: ReadReceipt[] | null }>;
  /**
   * The connection is gone (the gateway calls this once, whatever closed it). The user's presence ends after
   * the grace period, so that a reload does not flap; `immediate` (an explicit logout) ends it at once.
   */
  close(opts?: { immediate?: boolean }): void;
  /** Reacts to a message of a joined room with one emoji; adding it twice counts once. */
  react(room: string, messageId: number, emoji: string): Promise<ReactionResult>;
  /** Takes the reaction back; one that is not there is a success that changes nothing. */
  unreact(room: string, messageId: number, emoji: string): Promise<ReactionResult>;
  /** Messages matching the words, newest first, in the rooms this user may see. */
  search(query: SearchQuery): Promise<SearchPage>;
  /** Reports, the moderation queue and shadow mutes (sessionReports.ts). */
  readonly reports: SessionReportsApi;
  /** The room of a page of the site (`rooms.page`, pageRooms.ts), created on first use where the app allows. */
  pageRoom(url: string): Promise<PageRoomResult>;
}

export interface AppPatch {
  name?: string;
  settings?: AppSettingsPatch;
}

export interface OnlineUser {
  user: UserRef;
  rooms: string[];
  connections: number;
}

/**
 * What a gateway may ask of the engine: sign a connection in and open its session (or an anonymous reader),
 * read the app's settings for admission, and who is online. Everything else goes through the Session.
 */
export interface EngineConnections {
  readonly nodeId: string;

  /** `address`: the caller's network address, for the sign-in limits of password credentials. */
  authenticate(appId: AppId, credentials: Credentials, address?: string): Promise<Principal>;
  openSession(principal: Principal, sink: SessionSink, meta?: SessionMeta): Session;
  /**
   * A read-only session with no user, for dialects whose clients may watch without signing in: it joins public
   * rooms and receives their events, is not shown in presence, and every write answers `unauthorized`.
   */
  openReader(appId: AppId, sink: SessionSink, meta?: SessionMeta): Promise<Session>;
  /** The app (its settings decide admission: origins, guest rights). */
  getApp(appId: AppId): Promise<App>;
  /** `address`: the caller's network address, for the sign-in limits (core/signInLimits.ts). */
  register(appId: AppId, username: string, password: string, address?: string): Promise<IssuedToken>;
  login(appId: AppId, username: string, password: string, address?: string): Promise<IssuedToken>;
  /** Who is connected to the app, across the cluster. */
  online(appId: AppId): OnlineUser[];
}

/** A strike as the operator reads it (strikes.ts). */
export type StrikeView = Strike & { active: boolean };

/** A page of erasure records, newest first; `nextBefore` reads the next (null: no more). */
export interface ErasurePage {
  erasures: ErasureRecord[];
  nextBefore: number | null;
}

/** The operator's data protection operations (dataProtection.ts, docs/data-protection.md). */
export interface EngineDataAdmin {
  /**
   * Everything Parley holds about the user, as the text of one JSON document, read from the store page by page
   * (docs/data-protection.md); `not_found` before any of it when the app or the user does not exist.
   */
  exportUser(appId: AppId, username: string): Promise<AsyncIterable<string>>;
  /** Erases the user as the app's `erasure` setting says; answers the record kept of it. */
  eraseUser(appId: AppId, username: string): Promise<ErasureRecord>;
  listErasures(appId: AppId, query: { limit?: number; before?: number }): Promise<ErasurePage>;
  /** A room's own retention: days, null for forever, 'app' to follow the app's `retentionDays`. */
  setRoomRetention(appId: AppId, room: string, days: number | null | 'app'): Promise<void>;
}

/** What the HTTP admin API and the CLI may ask of the engine; the caller has proven the admin key. */
export interface EngineAdmin extends EngineAccessAdmin, EngineDataAdmin {
  readonly nodeId: string;
  readonly attachments: EngineAttachments;
  readonly webhooks: WebhookAdmin;

  getApp(appId: AppId): Promise<App>;
  listApps(): Promise<App[]>;
  createApp(input: { name: string; settings?: AppSettingsPatch }): Promise<App>;
  updateApp(appId: AppId, patch: AppPatch): Promise<App>;
  createUser(appId: AppId, input: { username: string; password?: string; role?: Role }): Promise<User>;
  setUserRole(appId: AppId, username: string, role: Role): Promise<User>;
  /** Sets a user's display name and avatar URL (`null` clears; absent keeps); `invalid_profile` when invalid. */
  setUserProfile(
    appId: AppId,
    username: string,
    profile: { displayName?: string | null; avatarUrl?: string | null },
  ): Promise<User>;
  listUsers(appId: AppId, opts: { limit: number; afterId?: number }): Promise<User[]>;
  issueToken(appId: AppId, username: string, ttlSeconds?: number): Promise<IssuedToken>;
  /** `address`: the caller's network address, for the sign-in limits (core/signInLimits.ts). */
  register(appId: AppId, username: string, password: string, address?: string): Promise<IssuedToken>;
  login(appId: AppId, username: string, password: string, address?: string): Promise<IssuedToken>;
  listRooms(appId: AppId): Promise<RoomView[]>;
  createRoom(
    appId: AppId,
    input: { name: string; visibility?: RoomVisibility; topic?: string },
  ): Promise<RoomView>;
  /** Also sets the room's slow mode (`slowModeSeconds`, 0 off), told to the room as `slow_mode_changed`. */
  updateRoom(appId: AppId, room: string, patch: RoomPatch): Promise<RoomView>;
  /** The user's strikes toward escalation, newest first (at most 100), each with whether it still counts. */
  userStrikes(appId: AppId, username: string): Promise<StrikeView[]>;
  /** What the app's content filter would do with the text (from `username`, else a new member); posts nothing. */
  testFilter(appId: AppId, input: { text: unknown; username?: string }): Promise<FilterVerdict>;
  /** Bots (docs/bots.md): created with their API key, shown in this answer only. */
  createBot(appId: AppId, input: NewBot): Promise<BotWithKey>;
  listBots(appId: AppId): Promise<BotView[]>;
  updateBot(appId: AppId, username: string, patch: BotPatch): Promise<BotView>;
  deleteBot(appId: AppId, username: string): Promise<BotView>;
  rotateBotKey(appId: AppId, username: string): Promise<BotWithKey>;
  /** A bot posts with its API key (REST): in a room it may see, through the whole post pipeline. */
  botPost(
    appId: AppId,
    apiKey: string,
    room: string,
    input: { text: string; clientMsgId?: string; replyTo?: number },
  ): Promise<SendResult>;
  deleteRoom(appId: AppId, room: string): Promise<void>;
  addRoomMember(appId: AppId, room: string, username: string): Promise<void>;
  history(appId: AppId, room: string, query: HistoryQuery): Promise<HistoryPage>;
  /** A server-side publish through the same path as a client's send. */
  publish(
    appId: AppId,
    room: string,
    input: { username: string; text: string; clientMsgId?: string; replyTo?: number },
  ): Promise<SendResult>;
  deleteMessage(appId: AppId, room: string, messageId: number): Promise<MessageView>;
  mute(appId: AppId, target: string, opts: MuteOptions): Promise<Mute>;
  unmute(appId: AppId, target: string, opts: { room?: string }): Promise<void>;
  ban(appId: AppId, target: string, opts: { minutes?: number; reason?: string }): Promise<Ban>;
  unban(appId: AppId, target: string): Promise<void>;
  kick(appId: AppId, target: string, opts: { reason?: string }): Promise<void>;
  listMutes(appId: AppId): Promise<Mute[]>;
  listBans(appId: AppId): Promise<Ban[]>;
  listModeration(appId: AppId, opts: { limit: number; beforeId?: number }): Promise<ModerationRecord[]>;
  online(appId: AppId): OnlineUser[];
  /** The replies to a message, paged by seq as history is. */
  replies(appId: AppId, room: string, messageId: number, query: HistoryQuery): Promise<HistoryPage>;
  listPins(appId: AppId, room: string): Promise<PinView[]>;
  /** Pin as the operator (`by` null in the event and the record); pinning a pinned message changes nothing. */
  pin(appId: AppId, room: string, messageId: number): Promise<PinView>;
  unpin(appId: AppId, room: string, messageId: number): Promise<void>;
  stats(): { sessions: number; rooms: number };
  /** Whether storage can commit, why not, and the SQLite WAL's figures (for /readyz and /metrics). */
  storageHealth(): StorageHealthView;
  /** A reaction by `username` (who must exist), through the same rules as a client's `react`. */
  react(appId: AppId, room: string, messageId: number, input: ReactionInput): Promise<ReactionResult>;
  unreact(appId: AppId, room: string, messageId: number, input: ReactionInput): Promise<ReactionResult>;
  /** Each room's unread counts for the user, in the rooms where the user has a read marker and may look. */
  unread(appId: AppId, username: string): Promise<UserUnread>;
  /** Messages matching the words, newest first, in every room of the app (private ones included). */
  searchMessages(appId: AppId, query: SearchQuery): Promise<SearchPage>;
  /** The DM room of two users by name, opened under the rules the first would meet (dms.ts). */
  openDm(appId: AppId, from: string, to: string): Promise<RoomView>;
  /** The moderation queue of the app, newest message first (reports.ts). */
  listReports(appId: AppId, query: QueueQuery): Promise<QueuePage>;
  /** Resolves an open queue entry as the operator. */
  resolveReport(appId: AppId, messageId: number, input: ResolveInput): Promise<QueueEntryView>;
  shadowMute(appId: AppId, target: string, opts: { minutes?: number; reason?: string }): Promise<ShadowMute>;
  unshadowMute(appId: AppId, target: string): Promise<void>;
}

/** The engine as the server that owns it sees it: both sides, and the stop. */
export interface EngineApi extends EngineConnections, EngineAdmin {
  readonly nodeId: string;
  getApp(appId: AppId): Promise<App>;
  /** `address`: the caller's network address, for the sign-in limits (core/signInLimits.ts). */
  register(appId: AppId, username: string, password: string, address?: string): Promise<IssuedToken>;
  login(appId: AppId, username: string, password: string, address?: string): Promise<IssuedToken>;
  online(appId: AppId): OnlineUser[];
  /** Stop: tell every session `shutdown` and wait for pending writes. */
  shutdown(): Promise<ShutdownSummary>;
}

/** A search of messages (docs/protocol.md `search`): the words to find, optionally in one room, paged. */
export interface SearchQuery {
  /** 1-200 characters; every word must match, the last also as a prefix. */
  q: string;
  /** Only this room (by name). */
  room?: string;
  /** The `nextCursor` of the page before: only messages with a smaller id. */
  before?: number;
  /** 1-50, default 20. */
  limit?: number;
}

export interface SearchHit {
  message: MessageView;
  /** The message's text, HTML-escaped, with each matched word wrapped in `<mark>…</mark>`. */
  highlight: string;
}

export interface SearchPage {
  /** Newest first. */
  hits: SearchHit[];
  /** Pass as `before` for the next (older) page; null at the end. */
  nextCursor: number | null;
}

/** What a stop ended: for the server's last log line. */
export interface ShutdownSummary {
  /** Sessions told `shutdown` (their gateways had closed most connections before). */
  sessionsClosed: number;
  /** Storage writes still running that the stop waited for. */
  writesAwaited: number;
}
