/**
 * The records the native protocol carries in replies and events: users, rooms, messages, moderation entries and
 * the results of join, send and history. Times are milliseconds since the Unix epoch.
 */
import type { ErrorCode } from './errors.js';

export type Role = 'guest' | 'member' | 'mod' | 'admin' | 'owner';

export type UserKind = 'account' | 'external' | 'guest' | 'bot';

export interface User {
  id: number;
  appId: number;
  username: string;
  role: Role;
  kind: UserKind;
  createdAt: number;
  displayName?: string;
  avatarUrl?: string;
}

/** The part of a user that travels with messages and presence. */
export interface UserRef {
  id: number;
  username: string;
  role: Role;
  /** Set by the user (`profile.set`), a site's JWT or the operator; present only when set. */
  displayName?: string;
  /** An https URL of at most 512 characters; present only when set. */
  avatarUrl?: string;
  /** Present (true) when the user is a bot (docs/bots.md): show it as one. */
  bot?: true;
}

export type RoomVisibility = 'public' | 'private';

export interface RoomRef {
  id: number;
  name: string;
}

/** A room. `online` counts users (not connections) present on the serving node's view. */
export interface RoomView {
  id: number;
  name: string;
  visibility: RoomVisibility;
  topic: string;
  createdAt: number;
  lastSeq: number;
  online: number;
  createdBy: number | null;
  /** For the reader (rooms.list, join): messages after their read marker, not theirs, not deleted. */
  unread?: number;
  /** For the reader: those of the unread messages that mention them. */
  unreadMentions?: number;
  /** Present (true) on a direct-message room only (its name is `dm:<low id>:<high id>`). */
  dm?: true;
  /**
   * Present only when the room is in slow mode: each user below mod may send one message per this many seconds
   * (a send sooner is refused with `slow_mode` and `details.retryAfterMs`).
   */
  slowModeSeconds?: number;
  /** The room's own retention in days (null: kept forever); absent: the app's. Older messages are purged. */
  retentionDays?: number | null;
}

export type MessageKind = 'text' | 'me' | 'system';

/** A message of a room. `seq` is per room, gapless, and increases by one with each message. */
export interface MessageView {
  id: number;
  room: string;
  roomId: number;
  seq: number;
  kind: MessageKind;
  author: UserRef | null;
  text: string;
  html: string;
  clientMsgId: string | null;
  createdAt: number;
  editedAt: number | null;
  deletedAt: number | null;
  /** The message this one answers, as quoted when it was written; null when it is not a reply. */
  replyTo: ReplyQuote | null;
  /** How many replies the message has. */
  replyCount: number;
  /** Reactions by emoji, most used first. */
  reactions: ReactionCount[];
  /** The users the text mentioned when it was posted (at most 20), in the order of the text. */
  mentions: UserRef[];
  /**
   * Present only on a message that is not visible to everyone, as its author and staff (mods and above) see
   * it: 'held' for review, 'hidden' after reports, 'shadow' (its author was shadow-muted; staff only).
   */
  visibility?: 'held' | 'hidden' | 'shadow';
  /** The files it carries, in order (docs/attachments.md); absent: none. */
  attachments?: Attachment[];
  /** The first link's preview, once fetched (the `message_preview` event brings it later); absent: none. */
  preview?: LinkPreview;
}

/**
 * A file a message carries (docs/attachments.md). `url` and `thumbnailUrl` are relative to the server's base
 * (the widget and the typed client resolve them); in a private room they are signed and expire.
 */
export interface Attachment {
  id: string;
  name: string;
  /** Bytes. */
  size: number;
  /** The media type found in the content (never the name's). */
  type: string;
  /** Images only. */
  width?: number;
  height?: number;
  url: string;
  /** Images only: a small JPEG or PNG of at most 320 px either way. */
  thumbnailUrl?: string;
}

/** What the server found at the first link of a message (Open Graph, else the page's title). */
export interface LinkPreview {
  url: string;
  title?: string;
  description?: string;
  siteName?: string;
  /** An absolute http(s) URL of the page's image, as the page gave it. */
  imageUrl?: string;
}

/** What a reply shows of the message it answers; `deleted` once the parent was deleted (excerpt then empty). */
export interface ReplyQuote {
  id: number;
  author: UserRef | null;
  excerpt: string;
  deleted: boolean;
}

/** One emoji's reactions on a message; `me` (in answers to one reader only): whether the reader reacted. */
export interface ReactionCount {
  emoji: string;
  count: number;
  me?: boolean;
}

export interface Mute {
  appId: number;
  userId: number;
  /** null: the whole app. */
  roomId: number | null;
  /** null: until unmuted. */
  expiresAt: number | null;
  reason: string;
  by: number | null;
  createdAt: number;
}

export interface Ban {
  appId: number;
  userId: number;
  /** null: until unbanned. */
  expiresAt: number | null;
  reason: string;
  by: number | null;
  createdAt: number;
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

export type SendResult =
  | { kind: 'message'; message: MessageView; duplicate: boolean }
  /**
   * A slash command ran (or was refused: `error` is then its error code); `text` is the system message the
   * sender also receives as a `system` event.
   */
  | { kind: 'command'; command: string; text: string; error: ErrorCode | null };

/** A pinned message with who pinned it (null: the operator, or a user since removed) and when. */
export interface PinView {
  message: MessageView;
  pinnedBy: UserRef | null;
  pinnedAt: number;
}

/** What `react` and `unreact` answer. */
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

/** The answer to `read`: the room's read marker now and what is still unread after it. */
export interface ReadResult {
  room: string;
  seq: number;
  unread: number;
  unreadMentions: number;
}

/** Who has read a room up to which seq (read receipts). */
export interface ReadReceipt {
  user: UserRef;
  seq: number;
}

/** One direct-message room of the user: the room, the other member, its newest seq and newest message. */
export interface DmView {
  room: RoomView;
  user: UserRef;
  lastSeq: number;
  /** Null when the room has no message yet, or its newest is by a user the caller blocked. */
  lastMessage: MessageView | null;
}
