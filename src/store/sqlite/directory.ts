import type Database from 'better-sqlite3';
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
import type { AccessTokenRecord, Directory, NewRoom, NewUser } from '../../engine/ports/store.js';
import type { EventOutbox } from '../../engine/ports/webhookStore.js';
import { guard } from './errors.js';
import { sqliteTold } from './webhooks.js';
import { prepareRoomSummaries } from './roomSummaries.js';
import { USER_COLUMNS } from '../profileSql.js';

// SQLite keeps JSON columns as TEXT, parsed on every read (a fresh object per read).
const toApp = appMapper((settings: string) => JSON.parse(settings) as AppSettings);
const toModeration = moderationMapper((detail: string) => JSON.parse(detail) as Record<string, unknown>);

const ROOM_COLUMNS =
  'id, app_id, name, visibility, topic, created_by, created_at, slow_mode_seconds, retention_days';
const MUTE_COLUMNS = 'app_id, user_id, room_id, expires_at, reason, by_id, created_at';
const BAN_COLUMNS = 'app_id, user_id, expires_at, reason, by_id, created_at';
// `now` is compared with `>` because an entry stops applying at the instant it expires (see isActive).
const IN_FORCE = '(expires_at IS NULL OR expires_at > @now)';

/** Every statement, prepared once when the store opens. */
function prepare(db: Database.Database) {
  return {
    insertApp: db.prepare<{ name: string; settings: string; now: number }, AppRow<string>>(
      'INSERT INTO apps (name, settings, created_at) VALUES (@name, @settings, @now) RETURNING *',
    ),
    getApp: db.prepare<[number], AppRow<string>>('SELECT * FROM apps WHERE id = ?'),
    listApps: db.prepare<[], AppRow<string>>('SELECT * FROM apps ORDER BY id'),
    firstApp: db.prepare<[], AppRow<string>>('SELECT * FROM apps ORDER BY id LIMIT 1'),
    updateApp: db.prepare<{ id: number; name: string | null; settings: string | null }, AppRow<string>>(
      `UPDATE apps SET name = IFNULL(@name, name), settings = IFNULL(@settings, settings)
       WHERE id = @id RETURNING *`,
    ),

    insertUser: db.prepare<
      {
        appId: number;
        username: string;
        key: string;
        role: string;
        kind: string;
        hash: string | null;
        now: number;
      },
      UserRow
    >(
      `INSERT INTO users (app_id, username, username_key, role, kind, password_hash, created_at)
       VALUES (@appId, @username, @key, @role, @kind, @hash, @now) RETURNING ${USER_COLUMNS}`,
    ),
    getUser: db.prepare<[number, number], UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE app_id = ? AND id = ?`,
    ),
    findUser: db.prepare<[number, string], UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE app_id = ? AND username_key = ?`,
    ),
    getHash: db.prepare<[number, number], { password_hash: string | null }>(
      'SELECT password_hash FROM users WHERE app_id = ? AND id = ?',
    ),
    setHash: db.prepare<[string, number, number]>(
      'UPDATE users SET password_hash = ? WHERE app_id = ? AND id = ?',
    ),
    setRole: db.prepare<[string, number, number], UserRow>(
      `UPDATE users SET role = ? WHERE app_id = ? AND id = ? RETURNING ${USER_COLUMNS}`,
    ),
    listUsers: db.prepare<{ appId: number; afterId: number; limit: number }, UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE app_id = @appId AND id > @afterId
       ORDER BY id LIMIT max(@limit, 0)`,
    ),

    insertRoom: db.prepare<
      {
        appId: number;
        name: string;
        key: string;
        visibility: string;
        topic: string;
        createdBy: number | null;
        now: number;
      },
      RoomRow
    >(
      `INSERT INTO rooms (app_id, name, name_key, visibility, topic, created_by, created_at)
       VALUES (@appId, @name, @key, @visibility, @topic, @createdBy, @now) RETURNING ${ROOM_COLUMNS}`,
    ),
    getRoom: db.prepare<[number, number], RoomRow>(
      `SELECT ${ROOM_COLUMNS} FROM rooms WHERE app_id = ? AND id = ?`,
    ),
    findRoom: db.prepare<[number, string], RoomRow>(
      `SELECT ${ROOM_COLUMNS} FROM rooms WHERE app_id = ? AND name_key = ?`,
    ),
    listRooms: db.prepare<[number], RoomRow>(
      `SELECT ${ROOM_COLUMNS} FROM rooms WHERE app_id = ? ORDER BY id`,
    ),
    updateRoom: db.prepare<
      {
        appId: number;
        id: number;
        name: string | null;
        key: string | null;
        visibility: string | null;
        topic: string | null;
        slowModeSeconds: number | null;
      },
      RoomRow
    >(
      `UPDATE rooms SET name = IFNULL(@name, name), name_key = IFNULL(@key, name_key),
         visibility = IFNULL(@visibility, visibility), topic = IFNULL(@topic, topic),
         slow_mode_seconds = IFNULL(@slowModeSeconds, slow_mode_seconds)
       WHERE app_id = @appId AND id = @id RETURNING ${ROOM_COLUMNS}`,
    ),
    // Members, messages and room mutes go with the room through ON DELETE CASCADE.
    deleteRoom: db.prepare<[number, number]>('DELETE FROM rooms WHERE app_id = ? AND id = ?'),

    addMember: db.prepare<[number, number]>(
      'INSERT OR IGNORE INTO room_members (room_id, user_id) VALUES (?, ?)',
    ),
    removeMember: db.prepare<[number, number]>('DELETE FROM room_members WHERE room_id = ? AND user_id = ?'),
    isMember: db
      .prepare<[number, number], number>('SELECT 1 FROM room_members WHERE room_id = ? AND user_id = ?')
      .pluck(),
    listMembers: db
      .prepare<[number], number>('SELECT user_id FROM room_members WHERE room_id = ? ORDER BY user_id')
      .pluck(),

    putToken: db.prepare<TokenRow>(
      `INSERT OR REPLACE INTO access_tokens (hash, id, app_id, user_id, expires_at, created_at)
       VALUES (@hash, @id, @app_id, @user_id, @expires_at, @created_at)`,
    ),
    getToken: db.prepare<[string], TokenRow>('SELECT * FROM access_tokens WHERE hash = ?'),
    deleteToken: db.prepare<[string]>('DELETE FROM access_tokens WHERE hash = ?'),
    deleteExpiredTokens: db.prepare<[number]>(
      'DELETE FROM access_tokens WHERE expires_at IS NOT NULL AND expires_at <= ?',
    ),

    // OR REPLACE honours the expression index mutes_key, so a second mute of the same scope replaces the first.
    putMute: db.prepare<MuteRow>(
      `INSERT OR REPLACE INTO mutes (${MUTE_COLUMNS})
       VALUES (@app_id, @user_id, @room_id, @expires_at, @reason, @by_id, @created_at)`,
    ),
    deleteMute: db.prepare<[number, number, number | null]>(
      'DELETE FROM mutes WHERE app_id = ? AND user_id = ? AND room_id IS ?',
    ),
    listMutes: db.prepare<{ appId: number; now: number }, MuteRow>(
      `SELECT ${MUTE_COLUMNS} FROM mutes WHERE app_id = @appId AND ${IN_FORCE} ORDER BY created_at, rowid`,
    ),
    listRoomMutes: db.prepare<{ appId: number; roomId: number; now: number }, MuteRow>(
      `SELECT ${MUTE_COLUMNS} FROM mutes
       WHERE app_id = @appId AND (room_id = @roomId OR room_id IS NULL) AND ${IN_FORCE}
       ORDER BY created_at, rowid`,
    ),

    putBan: db.prepare<BanRow>(
      `INSERT OR REPLACE INTO bans (${BAN_COLUMNS})
       VALUES (@app_id, @user_id, @expires_at, @reason, @by_id, @created_at)`,
    ),
    deleteBan: db.prepare<[number, number]>('DELETE FROM bans WHERE app_id = ? AND user_id = ?'),
    getBan: db.prepare<{ appId: number; userId: number; now: number }, BanRow>(
      `SELECT ${BAN_COLUMNS} FROM bans WHERE app_id = @appId AND user_id = @userId AND ${IN_FORCE}`,
    ),
    listBans: db.prepare<{ appId: number; now: number }, BanRow>(
      `SELECT ${BAN_COLUMNS} FROM bans WHERE app_id = @appId AND ${IN_FORCE} ORDER BY created_at, user_id`,
    ),

    insertModeration: db.prepare<Omit<ModerationRow<string>, 'id'>, ModerationRow<string>>(
      `INSERT INTO moderation (app_id, kind, actor_id, target_id, room_id, detail, created_at)
       VALUES (@app_id, @kind, @actor_id, @target_id, @room_id, @detail, @created_at) RETURNING *`,
    ),
    listModeration: db.prepare<
      { appId: number; beforeId: number | null; limit: number },
      ModerationRow<string>
    >(
      `SELECT * FROM moderation WHERE app_id = @appId AND (@beforeId IS NULL OR id < @beforeId)
       ORDER BY id DESC LIMIT max(@limit, 0)`,
    ),
  };
}

export class SqliteDirectory implements Directory {
  private readonly q: ReturnType<typeof prepare>;
  private readonly summaries: ReturnType<typeof prepareRoomSummaries>;
  private readonly told: ReturnType<typeof sqliteTold>;

  constructor(private readonly db: Database.Database) {
    this.q = prepare(db);
    this.summaries = prepareRoomSummaries(db);
    this.told = sqliteTold(db);
  }

  async createApp(name: string, settings: AppSettings, now: number): Promise<App> {
    return guard(this.db, () =>
      toApp(found(this.q.insertApp.get({ name, settings: JSON.stringify(settings), now }), 'app')),
    );
  }

  async ensureFirstApp(name: string, settings: AppSettings, now: number): Promise<App> {
    return guard(this.db, () => {
      const ensure = this.db.transaction((): AppRow<string> => {
        const first = this.q.firstApp.get();
        if (first) return first;
        return found(this.q.insertApp.get({ name, settings: JSON.stringify(settings), now }), 'app');
      });
      return toApp(ensure.immediate());
    });
  }

  async getApp(id: AppId): Promise<App | null> {
    return guard(this.db, () => {
      const row = this.q.getApp.get(id);
      return row ? toApp(row) : null;
    });
  }

  async listApps(): Promise<App[]> {
    return guard(this.db, () => this.q.listApps.all().map(toApp));
  }

  async updateApp(id: AppId, patch: { name?: string; settings?: AppSettings }): Promise<App> {
    return guard(this.db, () => {
      const settings = patch.settings === undefined ? null : JSON.stringify(patch.settings);
      return toApp(found(this.q.updateApp.get({ id, name: patch.name ?? null, settings }), 'app'));
    });
  }

  async createUser(appId: AppId, user: NewUser, now: number, outbox?: EventOutbox<User>): Promise<User> {
    const { username, role, kind, passwordHash: hash } = user;
    const values = { appId, username, key: usernameKey(username), role, kind, hash, now };
    const insert = () => toUser(found(this.q.insertUser.get(values), 'user'));
    return guard(this.db, () => this.told(insert, outbox), USERNAME_TAKEN);
  }

  async getUser(appId: AppId, id: UserId): Promise<User | null> {
    return guard(this.db, () => {
      const row = this.q.getUser.get(appId, id);
      return row ? toUser(row) : null;
    });
  }

  async findUserByName(appId: AppId, username: string): Promise<User | null> {
    return guard(this.db, () => {
      const row = this.q.findUser.get(appId, usernameKey(username));
      return row ? toUser(row) : null;
    });
  }

  async getPasswordHash(appId: AppId, id: UserId): Promise<string | null> {
    return guard(this.db, () => this.q.getHash.get(appId, id)?.password_hash ?? null);
  }

  async setPasswordHash(appId: AppId, id: UserId, hash: string): Promise<void> {
    guard(this.db, () => {
      if (this.q.setHash.run(hash, appId, id).changes === 0) throw userNotFound();
    });
  }

  async setUserRole(appId: AppId, id: UserId, role: Role): Promise<User> {
    return guard(this.db, () => toUser(found(this.q.setRole.get(role, appId, id), 'user')));
  }

  async listUsers(appId: AppId, opts: { limit: number; afterId?: UserId }): Promise<User[]> {
    return guard(this.db, () =>
      this.q.listUsers
        .all({ appId, afterId: opts.afterId ?? NO_CURSOR, limit: Math.trunc(opts.limit) })
        .map(toUser),
    );
  }

  async createRoom(appId: AppId, room: NewRoom, now: number): Promise<Room> {
    return guard(
      this.db,
      () => {
        const row = this.q.insertRoom.get({
          appId,
          name: room.name,
          key: roomKey(room.name),
          visibility: room.visibility,
          topic: room.topic ?? '',
          createdBy: room.createdBy,
          now,
        });
        return toRoom(found(row, 'room'));
      },
      ROOM_NAME_TAKEN,
    );
  }

  async getRoom(appId: AppId, id: RoomId): Promise<Room | null> {
    return guard(this.db, () => {
      const row = this.q.getRoom.get(appId, id);
      return row ? toRoom(row) : null;
    });
  }

  async findRoomByName(appId: AppId, name: string): Promise<Room | null> {
    return guard(this.db, () => {
      const row = this.q.findRoom.get(appId, roomKey(name));
      return row ? toRoom(row) : null;
    });
  }

  async listRooms(appId: AppId): Promise<Room[]> {
    return guard(this.db, () => this.q.listRooms.all(appId).map(toRoom));
  }

  async listRoomSummaries(appId: AppId, userId: UserId | null): ReturnType<Directory['listRoomSummaries']> {
    return guard(this.db, () => this.summaries(appId, userId));
  }

  async updateRoom(appId: AppId, id: RoomId, patch: RoomPatch): Promise<Room> {
    return guard(
      this.db,
      () => {
        const row = this.q.updateRoom.get({
          appId,
          id,
          name: patch.name ?? null,
          key: patch.name === undefined ? null : roomKey(patch.name),
          visibility: patch.visibility ?? null,
          topic: patch.topic ?? null,
          slowModeSeconds: patch.slowModeSeconds ?? null,
        });
        return toRoom(found(row, 'room'));
      },
      ROOM_NAME_TAKEN,
    );
  }

  async deleteRoom(appId: AppId, id: RoomId): Promise<void> {
    guard(this.db, () => {
      if (this.q.deleteRoom.run(appId, id).changes === 0) throw roomNotFound();
    });
  }

  async addRoomMember(roomId: RoomId, userId: UserId): Promise<void> {
    guard(this.db, () => this.q.addMember.run(roomId, userId));
  }

  async removeRoomMember(roomId: RoomId, userId: UserId): Promise<void> {
    guard(this.db, () => this.q.removeMember.run(roomId, userId));
  }

  async isRoomMember(roomId: RoomId, userId: UserId): Promise<boolean> {
    return guard(this.db, () => this.q.isMember.get(roomId, userId) !== undefined);
  }

  async listRoomMembers(roomId: RoomId): Promise<UserId[]> {
    return guard(this.db, () => this.q.listMembers.all(roomId));
  }

  async putAccessToken(record: AccessTokenRecord): Promise<void> {
    guard(this.db, () =>
      this.q.putToken.run({
        hash: record.hash,
        id: record.id,
        app_id: record.appId,
        user_id: record.userId,
        expires_at: record.expiresAt,
        created_at: record.createdAt,
      }),
    );
  }

  async getAccessToken(hash: string): Promise<AccessTokenRecord | null> {
    return guard(this.db, () => {
      const row = this.q.getToken.get(hash);
      return row ? toToken(row) : null;
    });
  }

  async deleteAccessToken(hash: string): Promise<void> {
    guard(this.db, () => this.q.deleteToken.run(hash));
  }

  async deleteExpiredAccessTokens(now: number): Promise<number> {
    return guard(this.db, () => this.q.deleteExpiredTokens.run(now).changes);
  }

  async putMute(mute: Mute): Promise<void> {
    guard(this.db, () =>
      this.q.putMute.run({
        app_id: mute.appId,
        user_id: mute.userId,
        room_id: mute.roomId,
        expires_at: mute.expiresAt,
        reason: mute.reason,
        by_id: mute.by,
        created_at: mute.createdAt,
      }),
    );
  }

  async deleteMute(appId: AppId, userId: UserId, roomId: RoomId | null): Promise<boolean> {
    return guard(this.db, () => this.q.deleteMute.run(appId, userId, roomId).changes > 0);
  }

  async listMutes(appId: AppId, now: number, roomId?: RoomId): Promise<Mute[]> {
    return guard(this.db, () => {
      const rows =
        roomId === undefined
          ? this.q.listMutes.all({ appId, now })
          : this.q.listRoomMutes.all({ appId, roomId, now });
      return rows.map(toMute);
    });
  }

  async putBan(ban: Ban): Promise<void> {
    guard(this.db, () =>
      this.q.putBan.run({
        app_id: ban.appId,
        user_id: ban.userId,
        expires_at: ban.expiresAt,
        reason: ban.reason,
        by_id: ban.by,
        created_at: ban.createdAt,
      }),
    );
  }

  async deleteBan(appId: AppId, userId: UserId): Promise<boolean> {
    return guard(this.db, () => this.q.deleteBan.run(appId, userId).changes > 0);
  }

  async getBan(appId: AppId, userId: UserId, now: number): Promise<Ban | null> {
    return guard(this.db, () => {
      const row = this.q.getBan.get({ appId, userId, now });
      return row ? toBan(row) : null;
    });
  }

  async listBans(appId: AppId, now: number): Promise<Ban[]> {
    return guard(this.db, () => this.q.listBans.all({ appId, now }).map(toBan));
  }

  async recordModeration(
    entry: Omit<ModerationRecord, 'id'>,
    outbox?: EventOutbox<ModerationRecord>,
  ): Promise<ModerationRecord> {
    const insert = () => {
      const row = this.q.insertModeration.get({
        app_id: entry.appId,
        kind: entry.kind,
        actor_id: entry.actorId,
        target_id: entry.targetId,
        room_id: entry.roomId,
        detail: JSON.stringify(entry.detail),
        created_at: entry.createdAt,
      });
      return toModeration(found(row, 'moderation record'));
    };
    return guard(this.db, () => this.told(insert, outbox));
  }

  async listModeration(
    appId: AppId,
    opts: { limit: number; beforeId?: number },
  ): Promise<ModerationRecord[]> {
    return guard(this.db, () =>
      this.q.listModeration
        .all({ appId, beforeId: opts.beforeId ?? null, limit: Math.trunc(opts.limit) })
        .map(toModeration),
    );
  }
}
