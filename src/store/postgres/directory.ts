import { roomNotFound, userNotFound } from '../../core/failures.js';
import { usernameKey } from '../../core/names.js';
import type { Role } from '../../core/roles.js';
import type {
  App,
  AppId,
  AppSettings,
  Ban,
  ModerationRecord,
  Mute,
  Room,
  RoomId,
  User,
  UserId,
  RoomPatch,
} from '../../core/types.js';
import {
  appMapper,
  found,
  moderationMapper,
  NO_CURSOR,
  ROOM_NAME_TAKEN,
  roomKey,
  toBan,
  toMute,
  toRoom,
  toToken,
  toUser,
  USERNAME_TAKEN,
} from '../rows.js';
import type { AppRow, BanRow, ModerationRow, MuteRow, RoomRow, TokenRow, UserRow } from '../rows.js';
import type {
  AccessTokenRecord,
  Directory,
  NewRoom,
  NewUser,
  RoomSummary,
} from '../../engine/ports/store.js';
import type { EventOutbox } from '../../engine/ports/webhookStore.js';
import { sql, type Db, type Tx } from './db.js';
import { toldWith } from './webhooks.js';
import { USER_COLUMNS } from '../profileSql.js';

// Rows as pg returns them: BIGINT as number (see TYPES in db.ts), JSONB already parsed (a fresh object per read).
type Detail = Record<string, unknown>;
const toApp = appMapper((settings: AppSettings) => settings);
const toModeration = moderationMapper((detail: Detail) => detail);

/** JSONB parameters are sent as JSON text: pg would turn a JS array into a PostgreSQL array, not JSON. */
function json(value: unknown): string {
  return JSON.stringify(value);
}

/** A page size as the store contract treats it: whole, and never negative (LIMIT rejects negatives). */
function pageSize(limit: number): number {
  return Math.max(Math.trunc(limit), 0);
}

const APP_COLUMNS = 'id, name, settings, created_at';
const ROOM_COLUMNS =
  'id, app_id, name, visibility, topic, created_by, created_at, slow_mode_seconds, retention_days';
const TOKEN_COLUMNS = 'hash, app_id, user_id, expires_at, created_at, id';
const MUTE_COLUMNS = 'app_id, user_id, room_id, expires_at, reason, by_id, created_at';
const BAN_COLUMNS = 'app_id, user_id, expires_at, reason, by_id, created_at';
const MODERATION_COLUMNS = 'id, app_id, kind, actor_id, target_id, room_id, detail, created_at';
// `now` is compared with `>` because an entry stops applying at the instant it expires (see isActive).
const IN_FORCE = '(expires_at IS NULL OR expires_at > $2)';

/** Every statement; pg prepares each once per pooled connection. Only constant text is spliced in. */
const q = {
  insertApp: sql(
    'dir.insert-app',
    `INSERT INTO apps (name, settings, created_at) VALUES ($1, $2, $3) RETURNING ${APP_COLUMNS}`,
  ),
  getApp: sql('dir.get-app', `SELECT ${APP_COLUMNS} FROM apps WHERE id = $1`),
  firstApp: sql('dir.first-app', `SELECT ${APP_COLUMNS} FROM apps ORDER BY id LIMIT 1`),
  /** Serialises ensureFirstApp across nodes for the rest of its transaction. */
  firstAppLock: sql(
    'dir.first-app-lock',
    'SELECT pg_advisory_xact_lock($1::int, hashtext(current_schema()))',
  ),
  listApps: sql('dir.list-apps', `SELECT ${APP_COLUMNS} FROM apps ORDER BY id`),
  updateApp: sql(
    'dir.update-app',
    `UPDATE apps SET name = COALESCE($2, name), settings = COALESCE($3::jsonb, settings)
     WHERE id = $1 RETURNING ${APP_COLUMNS}`,
  ),

  insertUser: sql(
    'dir.insert-user',
    `INSERT INTO users (app_id, username, username_key, role, kind, password_hash, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${USER_COLUMNS}`,
  ),
  getUser: sql('dir.get-user', `SELECT ${USER_COLUMNS} FROM users WHERE app_id = $1 AND id = $2`),
  findUser: sql('dir.find-user', `SELECT ${USER_COLUMNS} FROM users WHERE app_id = $1 AND username_key = $2`),
  getHash: sql('dir.get-hash', 'SELECT password_hash FROM users WHERE app_id = $1 AND id = $2'),
  setHash: sql(
    'dir.set-hash',
    'UPDATE users SET password_hash = $3 WHERE app_id = $1 AND id = $2 RETURNING id',
  ),
  setRole: sql(
    'dir.set-role',
    `UPDATE users SET role = $3 WHERE app_id = $1 AND id = $2 RETURNING ${USER_COLUMNS}`,
  ),
  listUsers: sql(
    'dir.list-users',
    `SELECT ${USER_COLUMNS} FROM users WHERE app_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
  ),

  insertRoom: sql(
    'dir.insert-room',
    `INSERT INTO rooms (app_id, name, name_key, visibility, topic, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${ROOM_COLUMNS}`,
  ),
  getRoom: sql('dir.get-room', `SELECT ${ROOM_COLUMNS} FROM rooms WHERE app_id = $1 AND id = $2`),
  findRoom: sql('dir.find-room', `SELECT ${ROOM_COLUMNS} FROM rooms WHERE app_id = $1 AND name_key = $2`),
  listRooms: sql('dir.list-rooms', `SELECT ${ROOM_COLUMNS} FROM rooms WHERE app_id = $1 ORDER BY id`),
  // `user_id = NULL` matches no row: without a user every room reads as not joined.
  roomSummaries: sql(
    'dir.room-summaries',
    `SELECT r.id, r.app_id, r.name, r.visibility, r.topic, r.created_by, r.created_at, r.slow_mode_seconds, r.retention_days, r.last_seq,
       EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = r.id AND m.user_id = $2) AS member
     FROM rooms r WHERE r.app_id = $1 ORDER BY r.id`,
  ),
  updateRoom: sql(
    'dir.update-room',
    `UPDATE rooms SET name = COALESCE($3, name), name_key = COALESCE($4, name_key),
       visibility = COALESCE($5, visibility), topic = COALESCE($6, topic),
       slow_mode_seconds = COALESCE($7, slow_mode_seconds)
     WHERE app_id = $1 AND id = $2 RETURNING ${ROOM_COLUMNS}`,
  ),
  // Members, messages and room mutes go with the room through ON DELETE CASCADE.
  deleteRoom: sql('dir.delete-room', 'DELETE FROM rooms WHERE app_id = $1 AND id = $2 RETURNING id'),

  addMember: sql(
    'dir.add-member',
    'INSERT INTO room_members (room_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
  ),
  removeMember: sql('dir.remove-member', 'DELETE FROM room_members WHERE room_id = $1 AND user_id = $2'),
  isMember: sql('dir.is-member', 'SELECT 1 AS one FROM room_members WHERE room_id = $1 AND user_id = $2'),
  listMembers: sql(
    'dir.list-members',
    'SELECT user_id FROM room_members WHERE room_id = $1 ORDER BY user_id',
  ),

  putToken: sql(
    'dir.put-token',
    `INSERT INTO access_tokens (${TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (hash) DO UPDATE SET id = EXCLUDED.id, app_id = EXCLUDED.app_id, user_id = EXCLUDED.user_id,
       expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at`,
  ),
  getToken: sql('dir.get-token', `SELECT ${TOKEN_COLUMNS} FROM access_tokens WHERE hash = $1`),
  deleteToken: sql('dir.delete-token', 'DELETE FROM access_tokens WHERE hash = $1'),
  deleteExpiredTokens: sql(
    'dir.delete-expired-tokens',
    'DELETE FROM access_tokens WHERE expires_at IS NOT NULL AND expires_at <= $1 RETURNING hash',
  ),

  // The conflict target is the expression of the unique index mutes_key, so a second mute of the same scope
  // (the same room, or the whole app) replaces the first.
  putMute: sql(
    'dir.put-mute',
    `INSERT INTO mutes (${MUTE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (app_id, user_id, (COALESCE(room_id, 0))) DO UPDATE SET expires_at = EXCLUDED.expires_at,
       reason = EXCLUDED.reason, by_id = EXCLUDED.by_id, created_at = EXCLUDED.created_at`,
  ),
  deleteMute: sql(
    'dir.delete-mute',
    `DELETE FROM mutes WHERE app_id = $1 AND user_id = $2 AND room_id IS NOT DISTINCT FROM $3::bigint
     RETURNING id`,
  ),
  listMutes: sql(
    'dir.list-mutes',
    `SELECT ${MUTE_COLUMNS} FROM mutes WHERE app_id = $1 AND ${IN_FORCE} ORDER BY created_at, id`,
  ),
  listRoomMutes: sql(
    'dir.list-room-mutes',
    `SELECT ${MUTE_COLUMNS} FROM mutes
     WHERE app_id = $1 AND (room_id = $3 OR room_id IS NULL) AND ${IN_FORCE}
     ORDER BY created_at, id`,
  ),

  putBan: sql(
    'dir.put-ban',
    `INSERT INTO bans (${BAN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (app_id, user_id) DO UPDATE SET expires_at = EXCLUDED.expires_at, reason = EXCLUDED.reason,
       by_id = EXCLUDED.by_id, created_at = EXCLUDED.created_at`,
  ),
  deleteBan: sql('dir.delete-ban', 'DELETE FROM bans WHERE app_id = $1 AND user_id = $2 RETURNING user_id'),
  getBan: sql(
    'dir.get-ban',
    `SELECT ${BAN_COLUMNS} FROM bans WHERE app_id = $1 AND user_id = $3 AND ${IN_FORCE}`,
  ),
  listBans: sql(
    'dir.list-bans',
    `SELECT ${BAN_COLUMNS} FROM bans WHERE app_id = $1 AND ${IN_FORCE} ORDER BY created_at, user_id`,
  ),

  insertModeration: sql(
    'dir.insert-moderation',
    `INSERT INTO moderation (app_id, kind, actor_id, target_id, room_id, detail, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${MODERATION_COLUMNS}`,
  ),
  listModeration: sql(
    'dir.list-moderation',
    `SELECT ${MODERATION_COLUMNS} FROM moderation WHERE app_id = $1 AND ($2::bigint IS NULL OR id < $2)
     ORDER BY id DESC LIMIT $3`,
  ),
};

/** An advisory lock key of its own (the migrations use another). */
const FIRST_APP_LOCK_KEY = 0x50617231;

export class PostgresDirectory implements Directory {
  constructor(private readonly db: Db) {}

  async createApp(name: string, settings: AppSettings, now: number): Promise<App> {
    const [row] = await this.db.query<AppRow<AppSettings>>(q.insertApp, [name, json(settings), now]);
    return toApp(found(row, 'app'));
  }

  async ensureFirstApp(name: string, settings: AppSettings, now: number): Promise<App> {
    const row = await this.db.transaction(async (tx) => {
      await tx.query(q.firstAppLock, [FIRST_APP_LOCK_KEY]);
      const [first] = await tx.query<AppRow<AppSettings>>(q.firstApp, []);
      if (first) return first;
      const [created] = await tx.query<AppRow<AppSettings>>(q.insertApp, [name, json(settings), now]);
      return found(created, 'app');
    });
    return toApp(row);
  }

  async getApp(id: AppId): Promise<App | null> {
    const [row] = await this.db.query<AppRow<AppSettings>>(q.getApp, [id]);
    return row ? toApp(row) : null;
  }

  async listApps(): Promise<App[]> {
    return (await this.db.query<AppRow<AppSettings>>(q.listApps, [])).map(toApp);
  }

  async updateApp(id: AppId, patch: { name?: string; settings?: AppSettings }): Promise<App> {
    const settings = patch.settings === undefined ? null : json(patch.settings);
    const [row] = await this.db.query<AppRow<AppSettings>>(q.updateApp, [id, patch.name ?? null, settings]);
    return toApp(found(row, 'app'));
  }

  async createUser(appId: AppId, user: NewUser, now: number, outbox?: EventOutbox<User>): Promise<User> {
    const values = [
      appId,
      user.username,
      usernameKey(user.username),
      user.role,
      user.kind,
      user.passwordHash,
      now,
    ];
    const insert = async (tx: Pick<Tx, 'query'>) => {
      const [row] = await tx.query<UserRow>(q.insertUser, values);
      return toUser(found(row, 'user'));
    };
    return toldWith(this.db, insert, outbox, USERNAME_TAKEN);
  }

  async getUser(appId: AppId, id: UserId): Promise<User | null> {
    const [row] = await this.db.query<UserRow>(q.getUser, [appId, id]);
    return row ? toUser(row) : null;
  }

  async findUserByName(appId: AppId, username: string): Promise<User | null> {
    const [row] = await this.db.query<UserRow>(q.findUser, [appId, usernameKey(username)]);
    return row ? toUser(row) : null;
  }

  async getPasswordHash(appId: AppId, id: UserId): Promise<string | null> {
    const [row] = await this.db.query<{ password_hash: string | null }>(q.getHash, [appId, id]);
    return row?.password_hash ?? null;
  }

  async setPasswordHash(appId: AppId, id: UserId, hash: string): Promise<void> {
    const rows = await this.db.query(q.setHash, [appId, id, hash]);
    if (rows.length === 0) throw userNotFound();
  }

  async setUserRole(appId: AppId, id: UserId, role: Role): Promise<User> {
    const [row] = await this.db.query<UserRow>(q.setRole, [appId, id, role]);
    return toUser(found(row, 'user'));
  }

  async listUsers(appId: AppId, opts: { limit: number; afterId?: UserId }): Promise<User[]> {
    const rows = await this.db.query<UserRow>(q.listUsers, [
      appId,
      opts.afterId ?? NO_CURSOR,
      pageSize(opts.limit),
    ]);
    return rows.map(toUser);
  }

  async createRoom(appId: AppId, room: NewRoom, now: number): Promise<Room> {
    const [row] = await this.db.query<RoomRow>(
      q.insertRoom,
      [appId, room.name, roomKey(room.name), room.visibility, room.topic ?? '', room.createdBy, now],
      ROOM_NAME_TAKEN,
    );
    return toRoom(found(row, 'room'));
  }

  async getRoom(appId: AppId, id: RoomId): Promise<Room | null> {
    const [row] = await this.db.query<RoomRow>(q.getRoom, [appId, id]);
    return row ? toRoom(row) : null;
  }

  async findRoomByName(appId: AppId, name: string): Promise<Room | null> {
    const [row] = await this.db.query<RoomRow>(q.findRoom, [appId, roomKey(name)]);
    return row ? toRoom(row) : null;
  }

  async listRooms(appId: AppId): Promise<Room[]> {
    return (await this.db.query<RoomRow>(q.listRooms, [appId])).map(toRoom);
  }

  async listRoomSummaries(appId: AppId, userId: UserId | null): Promise<RoomSummary[]> {
    const rows = await this.db.query<RoomRow & { last_seq: number; member: boolean }>(q.roomSummaries, [
      appId,
      userId,
    ]);
    return rows.map((row) => ({ room: toRoom(row), lastSeq: Number(row.last_seq), member: row.member }));
  }

  async updateRoom(appId: AppId, id: RoomId, patch: RoomPatch): Promise<Room> {
    const [row] = await this.db.query<RoomRow>(
      q.updateRoom,
      [
        appId,
        id,
        patch.name ?? null,
        patch.name === undefined ? null : roomKey(patch.name),
        patch.visibility ?? null,
        patch.topic ?? null,
        patch.slowModeSeconds ?? null,
      ],
      ROOM_NAME_TAKEN,
    );
    return toRoom(found(row, 'room'));
  }

  async deleteRoom(appId: AppId, id: RoomId): Promise<void> {
    const rows = await this.db.query(q.deleteRoom, [appId, id]);
    if (rows.length === 0) throw roomNotFound();
  }

  async addRoomMember(roomId: RoomId, userId: UserId): Promise<void> {
    await this.db.query(q.addMember, [roomId, userId]);
  }

  async removeRoomMember(roomId: RoomId, userId: UserId): Promise<void> {
    await this.db.query(q.removeMember, [roomId, userId]);
  }

  async isRoomMember(roomId: RoomId, userId: UserId): Promise<boolean> {
    return (await this.db.query(q.isMember, [roomId, userId])).length > 0;
  }

  async listRoomMembers(roomId: RoomId): Promise<UserId[]> {
    return (await this.db.query<{ user_id: number }>(q.listMembers, [roomId])).map((r) => r.user_id);
  }

  async putAccessToken(record: AccessTokenRecord): Promise<void> {
    await this.db.query(q.putToken, [
      record.hash,
      record.appId,
      record.userId,
      record.expiresAt,
      record.createdAt,
      record.id,
    ]);
  }

  async getAccessToken(hash: string): Promise<AccessTokenRecord | null> {
    const [row] = await this.db.query<TokenRow>(q.getToken, [hash]);
    return row ? toToken(row) : null;
  }

  async deleteAccessToken(hash: string): Promise<void> {
    await this.db.query(q.deleteToken, [hash]);
  }

  async deleteExpiredAccessTokens(now: number): Promise<number> {
    const removed = await this.db.query(q.deleteExpiredTokens, [now]);
    return removed.length;
  }

  async putMute(mute: Mute): Promise<void> {
    await this.db.query(q.putMute, [
      mute.appId,
      mute.userId,
      mute.roomId,
      mute.expiresAt,
      mute.reason,
      mute.by,
      mute.createdAt,
    ]);
  }

  async deleteMute(appId: AppId, userId: UserId, roomId: RoomId | null): Promise<boolean> {
    return (await this.db.query(q.deleteMute, [appId, userId, roomId])).length > 0;
  }

  async listMutes(appId: AppId, now: number, roomId?: RoomId): Promise<Mute[]> {
    const rows =
      roomId === undefined
        ? await this.db.query<MuteRow>(q.listMutes, [appId, now])
        : await this.db.query<MuteRow>(q.listRoomMutes, [appId, now, roomId]);
    return rows.map(toMute);
  }

  async putBan(ban: Ban): Promise<void> {
    await this.db.query(q.putBan, [ban.appId, ban.userId, ban.expiresAt, ban.reason, ban.by, ban.createdAt]);
  }

  async deleteBan(appId: AppId, userId: UserId): Promise<boolean> {
    return (await this.db.query(q.deleteBan, [appId, userId])).length > 0;
  }

  async getBan(appId: AppId, userId: UserId, now: number): Promise<Ban | null> {
    const [row] = await this.db.query<BanRow>(q.getBan, [appId, now, userId]);
    return row ? toBan(row) : null;
  }

  async listBans(appId: AppId, now: number): Promise<Ban[]> {
    return (await this.db.query<BanRow>(q.listBans, [appId, now])).map(toBan);
  }

  async recordModeration(
    entry: Omit<ModerationRecord, 'id'>,
    outbox?: EventOutbox<ModerationRecord>,
  ): Promise<ModerationRecord> {
    const { appId, kind, actorId, targetId, roomId, detail, createdAt } = entry;
    const values = [appId, kind, actorId, targetId, roomId, json(detail), createdAt];
    const insert = async (tx: Pick<Tx, 'query'>) => {
      const [row] = await tx.query<ModerationRow<Detail>>(q.insertModeration, values);
      return toModeration(found(row, 'moderation record'));
    };
    return toldWith(this.db, insert, outbox);
  }

  async listModeration(
    appId: AppId,
    opts: { limit: number; beforeId?: number },
  ): Promise<ModerationRecord[]> {
    const rows = await this.db.query<ModerationRow<Detail>>(q.listModeration, [
      appId,
      opts.beforeId ?? null,
      pageSize(opts.limit),
    ]);
    return rows.map(toModeration);
  }
}
