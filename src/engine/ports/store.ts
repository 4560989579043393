import type {
  App,
  AppId,
  AppSettings,
  Ban,
  Message,
  MessageId,
  MessageKind,
  MessageVisibility,
  ModerationRecord,
  Mute,
  Room,
  RoomId,
  RoomVisibility,
  User,
  UserId,
  UserKind,
  UserRef,
  RoomPatch,
} from '../../core/types.js';
import type { Role } from '../../core/roles.js';
import type { ReactionStore } from './reactionStore.js';
import type { ReadStateStore } from './readStore.js';
import type { SearchIndex } from './searchStore.js';
import type { DmStore } from './dmStore.js';
import type { ProfileStore } from './profileStore.js';
import type { AccessTokenRecord, TokenStore } from './tokenStore.js';

export type { AccessTokenRecord } from './tokenStore.js';
import type { AuditStore } from './auditStore.js';
import type { ReportStore } from './reportStore.js';
import type { StrikeStore } from './strikeStore.js';
import type { BotStore } from './botStore.js';
import type { PageRoomStore } from './pageRoomStore.js';
import type { LinkPreviewStore } from './linkPreviewStore.js';
import type { AttachmentStore } from './attachmentStore.js';
import type { EventOutbox, MessageOutbox, WebhookStore } from './webhookStore.js';
import type { DataProtectionStore } from './dataProtectionStore.js';

/**
 * The storage ports. Every implementation (SQLite now, PostgreSQL in cluster mode) passes the one contract
 * suite in test/store/contract.ts. Methods are async so that networked stores fit behind the same shape.
 * A store reports a name that is already taken with ParleyError('conflict') and a store that cannot be reached
 * with ParleyError('unavailable'); it never reports success for a write it did not commit.
 */

export interface NewUser {
  username: string;
  role: Role;
  kind: UserKind;
  passwordHash: string | null;
}

export interface NewRoom {
  name: string;
  visibility: RoomVisibility;
  topic?: string;
  createdBy: UserId | null;
}

/** A room with what a room list shows beside it, read in one query for the whole app. */
export interface RoomSummary {
  room: Room;
  /** The seq of the room's newest message (0 when it has none). */
  lastSeq: number;
  /** Whether the user asked about is a member (private rooms); false when no user was given. */
  member: boolean;
}

export interface Directory {
  createApp(name: string, settings: AppSettings, now: number): Promise<App>;
  getApp(id: AppId): Promise<App | null>;
  /**
   * The first app (lowest id), created with `name` and `settings` when there is none yet. Atomic across
   * processes: nodes that start together on an empty database create one app between them.
   */
  ensureFirstApp(name: string, settings: AppSettings, now: number): Promise<App>;
  listApps(): Promise<App[]>;
  updateApp(id: AppId, patch: { name?: string; settings?: AppSettings }): Promise<App>;

  /**
   * Fails with `conflict` when the username is taken in the app, without regard to case. `outbox`: the
   * `user.created` events, made from the user and written in the same transaction.
   */
  createUser(appId: AppId, user: NewUser, now: number, outbox?: EventOutbox<User>): Promise<User>;
  getUser(appId: AppId, id: UserId): Promise<User | null>;
  /** Case-insensitive. */
  findUserByName(appId: AppId, username: string): Promise<User | null>;
  getPasswordHash(appId: AppId, id: UserId): Promise<string | null>;
  setPasswordHash(appId: AppId, id: UserId, hash: string): Promise<void>;
  setUserRole(appId: AppId, id: UserId, role: Role): Promise<User>;
  listUsers(appId: AppId, opts: { limit: number; afterId?: UserId }): Promise<User[]>;

  /** Fails with `conflict` when the name is taken in the app (case-insensitive). */
  createRoom(appId: AppId, room: NewRoom, now: number): Promise<Room>;
  getRoom(appId: AppId, id: RoomId): Promise<Room | null>;
  findRoomByName(appId: AppId, name: string): Promise<Room | null>;
  listRooms(appId: AppId): Promise<Room[]>;
  /**
   * Every room of the app in creation order, with its last seq and whether `userId` is a member: one query,
   * however many rooms (room lists would otherwise cost one or two queries per room).
   */
  listRoomSummaries(appId: AppId, userId: UserId | null): Promise<RoomSummary[]>;
  updateRoom(appId: AppId, id: RoomId, patch: RoomPatch): Promise<Room>;
  /** Removes the room, its members and its messages. */
  deleteRoom(appId: AppId, id: RoomId): Promise<void>;

  /** Membership of private rooms (public rooms need none). Idempotent. */
  addRoomMember(roomId: RoomId, userId: UserId): Promise<void>;
  removeRoomMember(roomId: RoomId, userId: UserId): Promise<void>;
  isRoomMember(roomId: RoomId, userId: UserId): Promise<boolean>;
  listRoomMembers(roomId: RoomId): Promise<UserId[]>;

  putAccessToken(record: AccessTokenRecord): Promise<void>;
  getAccessToken(hash: string): Promise<AccessTokenRecord | null>;
  deleteAccessToken(hash: string): Promise<void>;
  /** Removes tokens that expired before `now` (guests get one per visit); answers how many. */
  deleteExpiredAccessTokens(now: number): Promise<number>;

  /** One mute per (app, user, room or whole app); putting it again replaces it. */
  putMute(mute: Mute): Promise<void>;
  /** True when there was a mute to delete. */
  deleteMute(appId: AppId, userId: UserId, roomId: RoomId | null): Promise<boolean>;
  /** Mutes in force at `now`, for the app (roomId undefined) or for one room plus the app-wide ones. */
  listMutes(appId: AppId, now: number, roomId?: RoomId): Promise<Mute[]>;

  putBan(ban: Ban): Promise<void>;
  deleteBan(appId: AppId, userId: UserId): Promise<boolean>;
  getBan(appId: AppId, userId: UserId, now: number): Promise<Ban | null>;
  listBans(appId: AppId, now: number): Promise<Ban[]>;

  /** `outbox`: the `moderation.<kind>` events, made from the record and written in the same transaction. */
  recordModeration(
    entry: Omit<ModerationRecord, 'id'>,
    outbox?: EventOutbox<ModerationRecord>,
  ): Promise<ModerationRecord>;
  listModeration(appId: AppId, opts: { limit: number; beforeId?: number }): Promise<ModerationRecord[]>;
}

export interface NewMessage {
  appId: AppId;
  roomId: RoomId;
  kind: MessageKind;
  authorId: UserId | null;
  text: string;
  html: string;
  clientMsgId: string | null;
  createdAt: number;
  /**
   * The message this one answers: a message of the same room that is not deleted, else the append fails with
   * `not_found` (details `{ field: 'replyTo' }`). The reply keeps a quote of it; its replyCount goes up by one
   * in the same transaction (not for a duplicate).
   */
  replyTo?: MessageId | null;
  /**
   * The users the message mentions, in order (ids of existing users of the app, each once), stored with the
   * message in the same transaction; a user removed meanwhile is skipped. Read back as Message.mentions.
   */
  mentions?: readonly UserId[];
  /** Who may see it (core/types.ts MessageVisibility); absent: 'visible'. */
  visibility?: MessageVisibility;
  /**
   * Hold the author to the room's slow mode: when the author's last message in the room is younger than the
   * room's `slowModeSeconds` (both read in the append's transaction, after the room's lock is taken), the append
   * fails with `slow_mode` and nothing is stored. A duplicate (same clientMsgId) is answered before this check.
   */
  slowMode?: boolean;
  /**
   * The webhook events of this message (ports/webhookStore.ts), written to the outbox in the append's
   * transaction; not called for a duplicate.
   */
  outbox?: MessageOutbox;
}

export interface AppendResult {
  message: Message;
  /** True when (room, author, clientMsgId) was already stored: `message` is the original and nothing was added. */
  duplicate: boolean;
}

export interface MessageLog {
  /** Commits the message with the room's next seq (gapless, starting at 1). */
  append(input: NewMessage): Promise<AppendResult>;
  get(roomId: RoomId, id: MessageId): Promise<Message | null>;
  /**
   * With `mentions`, the message's mentions become those (the edited text's), in the same transaction; with
   * `outbox`, the webhook events too.
   */
  edit(
    roomId: RoomId,
    id: MessageId,
    text: string,
    html: string,
    editedAt: number,
    mentions?: readonly UserId[],
    outbox?: MessageOutbox,
  ): Promise<Message>;
  /**
   * Soft delete: text and html are cleared, deletedAt set; the seq stays so that streams keep no holes.
   * `outbox` (as for edit and append): the webhook events, written in the same transaction.
   */
  remove(roomId: RoomId, id: MessageId, deletedAt: number, outbox?: MessageOutbox): Promise<Message>;
  /**
   * Messages in seq order (ascending). `afterSeq`: those with seq > afterSeq, oldest first.
   * `beforeSeq`: the newest `limit` with seq < beforeSeq. Neither: the newest `limit`.
   */
  range(roomId: RoomId, opts: { afterSeq?: number; beforeSeq?: number; limit: number }): Promise<Message[]>;
  lastSeq(roomId: RoomId): Promise<number>;
}

/** Which guests may be removed: those last seen before `seenBefore`, with no ban or mute in force at `now`. */
export interface RemovableGuests {
  seenBefore: number;
  now: number;
}

/**
 * The guest users of an app, for the guest reaper (engine/guestReaper.ts). A guest is "seen" when it signs in
 * and while it is connected; a guest never seen since it was created counts as seen when it was created.
 */
export interface GuestRoster {
  /** How many guest users the app has. */
  count(appId: AppId): Promise<number>;
  /** Marks these guests of the app as seen at `now`; answers how many of them still exist. */
  markSeen(appId: AppId, userIds: readonly UserId[], now: number): Promise<number>;
  /**
   * Up to `limit` removable guests, least recently seen first: kind and role `guest` (a guest whose role was
   * raised stays), seen before `seenBefore`, and no ban or mute in force at `now` (so that they keep working).
   */
  listRemovable(appId: AppId, opts: RemovableGuests & { limit: number }): Promise<UserId[]>;
  /**
   * Removes those of `userIds` that are still removable by the same rule (one seen since it was listed
   * stays), with their tokens and room memberships; their messages keep the name they were written under.
   * Answers how many were removed.
   */
  remove(appId: AppId, userIds: readonly UserId[], opts: RemovableGuests): Promise<number>;
  /**
   * The guest's messages in the app become `toUserId`'s (a guest who upgraded, where the app links them), with
   * the name they show when that user is gone. A client message id the user already used in the same room is
   * dropped from the guest's message (a retry is then no longer recognised), never the user's own. Answers how
   * many messages moved.
   */
  linkMessages(appId: AppId, guestId: UserId, toUserId: UserId): Promise<number>;
}

export interface Store {
  directory: Directory;
  messages: MessageLog;
  guests: GuestRoster;
  reactions: ReactionStore;
  /** Read markers and mention look-ups (ports/readStore.ts). */
  reads: ReadStateStore;
  /** Direct messages and blocks (ports/dmStore.ts). */
  dms: DmStore;
  /** Checks that the store can be reached (for /readyz). */
  ping(): Promise<void>;
  /**
   * Commits a write that changes nothing, to prove the store can commit (disk full, read-only and a lock held
   * elsewhere pass `ping` but fail this); waits for a lock only briefly. Fails with `unavailable`. Stores
   * without it are probed with `ping`.
   */
  probeWrite?(): Promise<void>;
  /** The write-ahead log as the last background checkpoint saw it; absent for stores without one. */
  walStats?(): WalStats;
  close(): Promise<void>;
  /** The thread view of replies (see ReplyLog below). */
  replies: ReplyLog;
  /** Pinned messages (see PinBoard below). */
  pins: PinBoard;
  /** Full-text search of messages (ports/searchStore.ts). */
  search: SearchIndex;
  /** Users' profiles (ports/profileStore.ts). */
  profiles: ProfileStore;
  /** Access tokens by id and revocations (ports/tokenStore.ts). */
  tokens: TokenStore;
  /** The admin API's audit trail (ports/auditStore.ts). */
  audit: AuditStore;
  /** Reports, the moderation queue, message visibility, shadow mutes (ports/reportStore.ts). */
  reports: ReportStore;
  /** Strikes toward escalation (ports/strikeStore.ts). */
  strikes: StrikeStore;
  /** Page rooms (ports/pageRoomStore.ts). */
  pageRooms: PageRoomStore;
  /** Messages' link previews (ports/linkPreviewStore.ts). */
  linkPreviews: LinkPreviewStore;
  /** Uploaded files of messages (ports/attachmentStore.ts). */
  attachments: AttachmentStore;
  /** Outgoing webhooks and their outbox (ports/webhookStore.ts). */
  webhooks: WebhookStore;
  /** Export, erasure and retention (ports/dataProtectionStore.ts). */
  dataProtection: DataProtectionStore;
  /** Bots (ports/botStore.ts). */
  bots: BotStore;
}

/** The SQLite WAL and its background checkpoints (see src/store/sqlite/checkpointer.ts). */
export interface WalStats {
  /** Size of the -wal file in bytes after the last checkpoint. */
  walBytes: number;
  /** Checkpoints attempted. */
  checkpoints: number;
  /** Checkpoints that could not copy or reset the whole WAL because a reader (a backup) held an old snapshot. */
  busyCheckpoints: number;
  /** Checkpoints that failed with an error (disk full, I/O error). */
  failedCheckpoints: number;
}

// ---------------------------------------------------------------------------------------------- replies, pins

/** The replies to one message, read as a thread (the reply itself is written by MessageLog.append). */
export interface ReplyLog {
  /** The replies to `parentId` in the room, paged by seq exactly as MessageLog.range pages the room. */
  range(
    roomId: RoomId,
    parentId: MessageId,
    opts: { afterSeq?: number; beforeSeq?: number; limit: number },
  ): Promise<Message[]>;
}

/** A pinned message with who pinned it (null: the operator, or a user since removed) and when. */
export interface PinRecord {
  message: Message;
  pinnedBy: UserRef | null;
  pinnedAt: number;
}

/** A pin to write: the message, who pins it (null: the operator), when, and the room's bound. */
export interface NewPin {
  roomId: RoomId;
  messageId: MessageId;
  by: UserId | null;
  at: number;
  max: number;
}

/** The pin as stored, and whether this call added it (false: it was pinned already, nothing changed). */
export interface PinOutcome {
  pin: PinRecord;
  added: boolean;
}

export interface PinBoard {
  /**
   * Pins a message of the room that is not deleted (`not_found` otherwise). Pinning a pinned message changes
   * nothing and answers `added: false`. A room holds at most `max` pins of messages that are not deleted: one
   * more fails with `conflict` (details `{ max }`), checked and written atomically.
   */
  pin(input: NewPin): Promise<PinOutcome>;
  /** True when the message was pinned. */
  unpin(roomId: RoomId, messageId: MessageId): Promise<boolean>;
  /** The room's pins of messages that are not deleted, newest pin first. */
  list(roomId: RoomId): Promise<PinRecord[]>;
}
