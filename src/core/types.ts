import type { FilterSettings } from './contentFilter.js';
import type { EscalationSettings } from './escalation.js';
import type { GuestVerification, GuestVerificationInput } from './guestVerification.js';
import type { PageRoomSettings } from './pageRooms.js';
import type { AttachmentSettings } from './attachments.js';
import type { PreSendHook, PreSendHookInput } from './preSendHook.js';
import type { FloodLimit, OperationLimits } from './operationLimits.js';
import type { Role } from './roles.js';
import type { SignInLimits } from './signInLimits.js';

export type AppId = number;
export type UserId = number;
export type RoomId = number;
export type MessageId = number;

export type { FloodLimit } from './operationLimits.js';

export type JwtSettings = { alg: 'HS256'; secret: string } | { alg: 'RS256' | 'ES256'; publicKey: string };

export interface AppSettings {
  maxMessageLength: number;
  /** The limit of `send` (the table's `send` row, kept under its first name). */
  flood: FloodLimit;
  /** Per-operation limits that replace the defaults of core/operationLimits.ts; `{}` keeps them all. */
  limits: OperationLimits;
  allowGuests: boolean;
  guestsCanWrite: boolean;
  allowAccounts: boolean;
  /** How many recent messages a join returns when the client gives no seq to resume from. */
  joinHistory: number;
  /** How many missed messages a resuming join replays before it answers with an explicit gap instead. */
  replayLimit: number;
  /** Origins allowed for this app; null means "whatever the server allows". Narrows, never widens. */
  allowedOrigins: string[] | null;
  jwt: JwtSettings | null;
  /** Hours an unused guest identity is kept after it was last seen (never less than the guest token's TTL). */
  guestRetentionHours: number;
  /** Most guest users the app keeps; past it the oldest unused guests are removed, or a new guest is refused. */
  maxGuests: number;
  /** Most distinct emoji one message may carry; a reaction with one more is refused (`too_many_reactions`). */
  maxReactionEmoji: number;
  /**
   * Read receipts (who has read up to which seq) in rooms with at most this many readers (users with a read
   * marker there); 0 turns them off.
   */
  readReceiptsMaxRoomSize: number;
  /** Whether users may open direct messages (`dm.open`). */
  dms: boolean;
  /** Whether guests may open direct messages (when `dms` is on). */
  guestDms: boolean;
  /** Limits on password guessing and account creation (core/signInLimits.ts). */
  signIn: SignInLimits;
  /** Whether a guest who upgrades to a user (native `upgrade`) takes their messages along (default off). */
  linkGuestMessages: boolean;
  /** Whether users may set their own profile (`profile.set`); guests never may. */
  usersSetProfile: boolean;
  /** The word and link filter (core/contentFilter.ts); off by default. */
  filter: FilterSettings;
  /** What strikes lead to (core/escalation.ts). */
  escalation: EscalationSettings;
  /** Reports of messages and their auto-hide (core/reports.ts). */
  reports: ReportSettings;
  /** A token a new guest must present, checked by a verification service (core/guestVerification.ts); null: off. */
  guestVerification: GuestVerification | null;
  /** Rooms for pages of the site, created on first use (core/pageRooms.ts). */
  pageRooms: PageRoomSettings;
  /** Whether the server fetches a preview of each message's first link (docs/link-previews.md); default on. */
  linkPreviews: boolean;
  /** Files users may attach to messages (core/attachments.ts). */
  attachments: AttachmentSettings;
  /** Days a message is kept before the retention purge removes it (a room may say otherwise); null: forever. */
  retentionDays: number | null;
  /** What erasing a user does to their messages (core/dataProtection.ts). */
  erasure: ErasureSettings;
  /** A site endpoint that allows, refuses or rewrites each message before it is stored (core/preSendHook.ts). */
  preSendHook: PreSendHook | null;
}

/** 'delete': the messages are deleted as a moderator deletes one; 'anonymise': kept, by "deleted user". */
export interface ErasureSettings {
  messages: 'delete' | 'anonymise';
}

/** Settings as the admin API takes them: any subset; `guestVerification` may leave its secret out to keep it. */
export type AppSettingsPatch = Partial<Omit<AppSettings, 'guestVerification' | 'preSendHook'>> & {
  guestVerification?: GuestVerificationInput | null;
  preSendHook?: PreSendHookInput | null;
};

/** When reports hide a message before a moderator has looked (core/reports.ts). */
export interface ReportSettings {
  /** Distinct established reporters that hide a message until a moderator decides; 0: never auto-hidden. */
  hideAfter: number;
  /** An account counts as established this many hours after it was created (guests never do). */
  establishedAfterHours: number;
}

export interface App {
  id: AppId;
  name: string;
  settings: AppSettings;
  createdAt: number;
}

export type UserKind = 'account' | 'external' | 'guest' | 'bot';

export interface User {
  id: UserId;
  appId: AppId;
  username: string;
  role: Role;
  kind: UserKind;
  createdAt: number;
  /** The profile (core/profiles.ts): present only when set. */
  displayName?: string;
  avatarUrl?: string;
}

/**
 * The id a message's author shows once the author (a guest) was removed: no user has it, so it never matches
 * anyone, while the name the author had stays on the message.
 */
export const TOMBSTONE_AUTHOR_ID = 0;

/** The part of a user that travels with messages and presence. */
export interface UserRef {
  id: UserId;
  username: string;
  role: Role;
  /** The user's profile (core/profiles.ts), each present only when set. */
  displayName?: string;
  avatarUrl?: string;
  /** Present on bots (core/bots.ts) only. */
  bot?: true;
}

export type RoomVisibility = 'public' | 'private';

export interface Room {
  id: RoomId;
  appId: AppId;
  name: string;
  visibility: RoomVisibility;
  topic: string;
  createdBy: UserId | null;
  createdAt: number;
  /** Seconds a user (below mod) must wait between two messages here (core/slowMode.ts); absent: off. */
  slowModeSeconds?: number;
  /** Days a message is kept here before the retention purge removes it: null forever; absent: the app's. */
  retentionDays?: number | null;
}

export type MessageKind = 'text' | 'me' | 'system';

/**
 * Who may see a message: everyone ('visible'), or only its author and staff: held for review ('held'),
 * hidden after reports ('hidden'), or written while its author was shadow-muted ('shadow').
 */
export type MessageVisibility = 'visible' | 'held' | 'hidden' | 'shadow';

/**
 * What a reply shows of the message it answers: a snapshot taken when the reply was written (the parent's
 * author and the start of its text), and whether the parent was deleted since.
 */
export interface ReplyQuote {
  id: MessageId;
  author: UserRef | null;
  /** The first characters of the parent's text (see core/replies.ts); empty once the parent is deleted. */
  excerpt: string;
  deleted: boolean;
}

/** One emoji's reactions on a message. */
export interface ReactionCount {
  emoji: string;
  count: number;
  /** Whether the reader reacted with it: set in answers to one reader (history, join), absent in broadcasts. */
  me?: boolean;
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

export interface Message {
  id: MessageId;
  appId: AppId;
  roomId: RoomId;
  /** Per-room, gapless, assigned at commit. */
  seq: number;
  kind: MessageKind;
  author: UserRef | null;
  text: string;
  html: string;
  clientMsgId: string | null;
  createdAt: number;
  editedAt: number | null;
  deletedAt: number | null;
  /** The message this one answers (see core/replies.ts), or null. */
  replyTo: ReplyQuote | null;
  /** How many replies it has, kept exact by the store (counted in the transaction that commits a reply). */
  replyCount: number;
  /** The users the text mentioned when it was posted (at most MAX_MENTIONS); absent: none. */
  mentions?: UserRef[];
  /** Absent while the message is visible to everyone (see MessageVisibility). */
  visibility?: Exclude<MessageVisibility, 'visible'>;
  /** The files it carries (at most 10), in the order they were attached; absent: none. */
  attachments?: Attachment[];
  /** The first link's preview, once fetched; absent: none (yet, or previews are off). */
  preview?: LinkPreview;
}

export interface Mute {
  appId: AppId;
  userId: UserId;
  /** null: the whole app. */
  roomId: RoomId | null;
  expiresAt: number | null;
  reason: string;
  by: UserId | null;
  createdAt: number;
}

export interface Ban {
  appId: AppId;
  userId: UserId;
  expiresAt: number | null;
  reason: string;
  by: UserId | null;
  createdAt: number;
}

export type ModerationKind =
  | 'mute'
  | 'unmute'
  | 'ban'
  | 'unban'
  | 'kick'
  | 'delete_message'
  | 'role'
  | 'pin'
  | 'unpin'
  | 'shadow_mute'
  | 'unshadow_mute'
  | 'report_resolved'
  | 'warn';

export interface ModerationRecord {
  id: number;
  appId: AppId;
  kind: ModerationKind;
  actorId: UserId | null;
  targetId: UserId | null;
  roomId: RoomId | null;
  detail: Record<string, unknown>;
  createdAt: number;
}

export function isActive(entry: { expiresAt: number | null }, now: number): boolean {
  return entry.expiresAt === null || entry.expiresAt > now;
}

/** What may change about a room: its name, who may see it, its topic. */
export interface RoomPatch {
  name?: string;
  visibility?: RoomVisibility;
  topic?: string;
  /** 0 turns slow mode off. */
  slowModeSeconds?: number;
}
