/**
 * The rows both stores read, and how a row becomes a domain value. SQLite and PostgreSQL share a schema and
 * return the same columns as the same JS types, except JSON: SQLite hands back TEXT and pg hands back JSONB
 * already parsed, so the rows with a JSON column take its type as a parameter and each store says how to read
 * it. SQL, statements and error mapping stay with each driver.
 */
import { DEFAULT_APP_SETTINGS } from '../core/apps.js';
import { ParleyError } from '../core/errors.js';
import { usernameKey } from '../core/names.js';
import { profileFields } from '../core/profiles.js';
import { ROLES } from '../core/roles.js';
import type {
  App,
  AppSettings,
  Ban,
  Message,
  MessageKind,
  MessageVisibility,
  ModerationRecord,
  Mute,
  ReplyQuote,
  Room,
  RoomVisibility,
  User,
  UserKind,
  UserRef,
} from '../core/types.js';
import { MODERATION_KINDS } from '../core/moderation.js';
import { TOMBSTONE_AUTHOR_ID } from '../core/types.js';
import type { AccessTokenRecord } from '../engine/ports/store.js';

// Written as records so that adding a value to the union without adding it here fails to compile.
const USER_KINDS = Object.keys({ account: 1, external: 1, guest: 1, bot: 1 } satisfies Record<
  UserKind,
  1
>) as UserKind[];
const VISIBILITIES = Object.keys({ public: 1, private: 1 } satisfies Record<
  RoomVisibility,
  1
>) as RoomVisibility[];
const MESSAGE_KINDS = Object.keys({ text: 1, me: 1, system: 1 } satisfies Record<
  MessageKind,
  1
>) as MessageKind[];

/** Room names fold the same way as usernames, so the two kinds of name behave alike. */
export const roomKey = usernameKey;

/** Ids start at 1, so `id > 0` is "from the start" when a page has no cursor. */
export const NO_CURSOR = 0;

export const USERNAME_TAKEN = 'That username is taken';
export const ROOM_NAME_TAKEN = 'A room with that name exists';

/** `Json`: the settings column as the driver returns it. */
export interface AppRow<Json> {
  id: number;
  name: string;
  settings: Json;
  created_at: number;
}

export interface UserRow {
  id: number;
  app_id: number;
  username: string;
  role: string;
  kind: string;
  created_at: number;
  /** The profile; absent where a read does not select it. */
  display_name?: string | null;
  avatar_url?: string | null;
}

export interface RoomRow {
  id: number;
  app_id: number;
  name: string;
  visibility: string;
  topic: string;
  created_by: number | null;
  created_at: number;
  /** Absent where a read does not select it. */
  slow_mode_seconds?: number;
  /** The room's own retention in days (null: the app's; 0: kept forever); absent where a read does not select it. */
  retention_days?: number | null;
}

export interface TokenRow {
  hash: string;
  id: string;
  app_id: number;
  user_id: number;
  expires_at: number | null;
  created_at: number;
}

export interface MuteRow {
  app_id: number;
  user_id: number;
  room_id: number | null;
  expires_at: number | null;
  reason: string;
  by_id: number | null;
  created_at: number;
}

export type BanRow = Omit<MuteRow, 'room_id'>;

/** `Json`: the detail column as the driver returns it. */
export interface ModerationRow<Json> {
  id: number;
  app_id: number;
  kind: string;
  actor_id: number | null;
  target_id: number | null;
  room_id: number | null;
  detail: Json;
  created_at: number;
}

/** A message with its author joined in (null columns when the author is gone or it is a system message). */
export interface MessageRow {
  id: number;
  app_id: number;
  room_id: number;
  seq: number;
  kind: string;
  author_id: number | null;
  author_username: string | null;
  author_role: string | null;
  author_display_name: string | null;
  author_avatar_url: string | null;
  /** The author's kind: a bot's messages are marked (core/types.ts UserRef `bot`). */
  author_kind?: string | null;
  /** The author's name when the message was written: what a removed guest's messages still show. */
  author_name: string | null;
  text: string;
  html: string;
  client_msg_id: string | null;
  created_at: number;
  edited_at: number | null;
  deleted_at: number | null;
  /** The parent of a reply (null otherwise), the quote of its text and the parent as it is now (joined). */
  reply_to_id: number | null;
  reply_excerpt: string | null;
  reply_count: number;
  reply_author_id: number | null;
  reply_author_username: string | null;
  reply_author_role: string | null;
  reply_author_display_name: string | null;
  reply_author_avatar_url: string | null;
  reply_author_name: string | null;
  reply_kind: string | null;
  reply_deleted_at: number | null;
  /** Whether the parent row was found (0/1 or a boolean, as the driver returns it). */
  reply_found: number | boolean | null;
  /** The mentioned users as a JSON array: text from SQLite, parsed already from PostgreSQL. */
  mentions?: unknown;
  visibility: string;
}

/** A stored value outside its domain means the database was changed behind Parley's back, or a bug wrote it. */
export function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ParleyError('internal', `stored ${what} has an unknown value`);
}

export function found<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new ParleyError('not_found', `${what} not found`);
  return value;
}

/** toApp for a store, given how it reads its settings column. */
export function appMapper<Json>(settings: (json: Json) => AppSettings): (row: AppRow<Json>) => App {
  return (row) => ({
    id: row.id,
    name: row.name,
    // Settings added after an app was stored (e.g. `limits`) read as their defaults.
    settings: { ...DEFAULT_APP_SETTINGS, ...settings(row.settings) },
    createdAt: row.created_at,
  });
}

/** toModeration for a store, given how it reads its detail column. */
export function moderationMapper<Json>(
  detail: (json: Json) => Record<string, unknown>,
): (row: ModerationRow<Json>) => ModerationRecord {
  return (row) => ({
    id: row.id,
    appId: row.app_id,
    kind: oneOf(row.kind, MODERATION_KINDS, 'moderation kind'),
    actorId: row.actor_id,
    targetId: row.target_id,
    roomId: row.room_id,
    detail: detail(row.detail),
    createdAt: row.created_at,
  });
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    appId: row.app_id,
    username: row.username,
    role: oneOf(row.role, ROLES, 'role'),
    kind: oneOf(row.kind, USER_KINDS, 'user kind'),
    createdAt: row.created_at,
    ...profileFields({ displayName: row.display_name ?? null, avatarUrl: row.avatar_url ?? null }),
  };
}

export function toRoom(row: RoomRow): Room {
  return {
    id: row.id,
    appId: row.app_id,
    name: row.name,
    visibility: oneOf(row.visibility, VISIBILITIES, 'room visibility'),
    topic: row.topic,
    createdBy: row.created_by,
    createdAt: row.created_at,
    ...(row.slow_mode_seconds ? { slowModeSeconds: Number(row.slow_mode_seconds) } : {}),
    ...roomRetention(row.retention_days),
  };
}

/** The stored retention (NULL: the app's, 0: forever) as Room.retentionDays (absent, null, or days). */
function roomRetention(days: number | null | undefined): Pick<Room, 'retentionDays'> {
  if (days === null || days === undefined) return {};
  return { retentionDays: days === 0 ? null : Number(days) };
}

export function toToken(row: TokenRow): AccessTokenRecord {
  return {
    hash: row.hash,
    id: row.id,
    appId: row.app_id,
    userId: row.user_id,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
  };
}

export function toMute(row: MuteRow): Mute {
  return {
    appId: row.app_id,
    userId: row.user_id,
    roomId: row.room_id,
    expiresAt: row.expires_at,
    reason: row.reason,
    by: row.by_id,
    createdAt: row.created_at,
  };
}

export function toBan(row: BanRow): Ban {
  return {
    appId: row.app_id,
    userId: row.user_id,
    expiresAt: row.expires_at,
    reason: row.reason,
    by: row.by_id,
    createdAt: row.created_at,
  };
}

/**
 * The author as the user is now; for a removed guest (the row is gone, the name written with the message
 * stays) a tombstone with that name; null for a system message.
 */
function authorOf(
  row: Pick<
    MessageRow,
    | 'author_id'
    | 'author_username'
    | 'author_role'
    | 'author_display_name'
    | 'author_avatar_url'
    | 'author_name'
    | 'author_kind'
    | 'kind'
  >,
): UserRef | null {
  if (row.author_id !== null && row.author_username !== null && row.author_role !== null) {
    return {
      id: row.author_id,
      username: row.author_username,
      role: oneOf(row.author_role, ROLES, 'role'),
      ...profileFields({ displayName: row.author_display_name, avatarUrl: row.author_avatar_url }),
      ...(row.author_kind === 'bot' ? { bot: true as const } : {}),
    };
  }
  if (row.author_id === null && row.author_name !== null && row.kind !== 'system') {
    return { id: TOMBSTONE_AUTHOR_ID, username: row.author_name, role: 'guest' };
  }
  return null;
}

export function toMessage(row: MessageRow): Message {
  const author = authorOf(row);
  return {
    id: row.id,
    appId: row.app_id,
    roomId: row.room_id,
    seq: row.seq,
    kind: oneOf(row.kind, MESSAGE_KINDS, 'message kind'),
    author,
    text: row.text,
    html: row.html,
    clientMsgId: row.client_msg_id,
    createdAt: row.created_at,
    editedAt: row.edited_at,
    deletedAt: row.deleted_at,
    replyTo: quoteOf(row),
    replyCount: row.reply_count,
    mentions: row.deleted_at === null ? mentionsOf(row.mentions) : [],
    ...visibilityOf(row.visibility),
  };
}

const MESSAGE_VISIBILITIES = Object.keys({ visible: 1, held: 1, hidden: 1, shadow: 1 } satisfies Record<
  MessageVisibility,
  1
>) as MessageVisibility[];

/** Present only when the message is not visible to everyone (most are, and carry nothing). */
function visibilityOf(value: string): Pick<Message, 'visibility'> {
  const visibility = oneOf(value, MESSAGE_VISIBILITIES, 'message visibility');
  return visibility === 'visible' ? {} : { visibility };
}

/** The mentions column as users (a deleted message, whose text is gone, mentions nobody any more). */
function mentionsOf(raw: unknown): UserRef[] {
  const list: unknown = typeof raw === 'string' ? JSON.parse(raw) : (raw ?? []);
  if (!Array.isArray(list)) throw new ParleyError('internal', 'stored mentions are not a list');
  return list.map((entry: { id: number; username: string; role: string }) => ({
    id: entry.id,
    username: entry.username,
    role: oneOf(entry.role, ROLES, 'role'),
  }));
}

/**
 * The quote of a reply: the parent's id and the excerpt stored with the reply, the parent's author as the user
 * is now, and whether the parent was deleted since (the excerpt then reads empty, whatever is stored).
 */
function quoteOf(row: MessageRow): ReplyQuote | null {
  if (row.reply_to_id === null) return null;
  const found = row.reply_found === true || row.reply_found === 1;
  const deleted = !found || row.reply_deleted_at !== null;
  const author = found
    ? authorOf({
        author_id: row.reply_author_id,
        author_username: row.reply_author_username,
        author_role: row.reply_author_role,
        author_display_name: row.reply_author_display_name,
        author_avatar_url: row.reply_author_avatar_url,
        author_name: row.reply_author_name,
        kind: row.reply_kind ?? 'system',
      })
    : null;
  return { id: row.reply_to_id, author, excerpt: deleted ? '' : (row.reply_excerpt ?? ''), deleted };
}
