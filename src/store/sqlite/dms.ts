import type Database from 'better-sqlite3';
import type { DmPair } from '../../core/dms.js';
import { dmRoomName } from '../../core/dms.js';
import type { AppId, Room, User, UserId } from '../../core/types.js';
import type { DmStore, DmSummary } from '../../engine/ports/dmStore.js';
import { toDmSummary, type SummaryRow } from '../dmRows.js';
import { found, roomKey, toRoom, toUser, type RoomRow, type UserRow } from '../rows.js';
import { guard } from './errors.js';

type PairKey = { appId: number; low: number; high: number };
type BlockKey = { appId: number; blocker: number; blocked: number };
const ROOM = 'r.id, r.app_id, r.name, r.visibility, r.topic, r.created_by, r.created_at';

function prepare(db: Database.Database) {
  return {
    pairRoom: db.prepare<PairKey, RoomRow>(
      `SELECT ${ROOM} FROM dm_pairs p JOIN rooms r ON r.id = p.room_id
       WHERE p.app_id = @appId AND p.low_id = @low AND p.high_id = @high`,
    ),
    insertRoom: db.prepare<{ appId: number; name: string; key: string; by: number; now: number }, RoomRow>(
      `INSERT INTO rooms (app_id, name, name_key, visibility, topic, created_by, created_at)
       VALUES (@appId, @name, @key, 'private', '', @by, @now)
       RETURNING id, app_id, name, visibility, topic, created_by, created_at`,
    ),
    insertMember: db.prepare<{ roomId: number; userId: number }>(
      'INSERT OR IGNORE INTO room_members (room_id, user_id) VALUES (@roomId, @userId)',
    ),
    insertPair: db.prepare<PairKey & { roomId: number; now: number }>(
      `INSERT INTO dm_pairs (app_id, low_id, high_id, room_id, created_at)
       VALUES (@appId, @low, @high, @roomId, @now)`,
    ),
    list: db.prepare<{ appId: number; userId: number; limit: number }, SummaryRow>(
      `SELECT ${ROOM}, r.last_seq, u.id AS p_id, u.username AS p_username, u.role AS p_role, u.kind AS p_kind,
              u.created_at AS p_created_at, u.display_name AS p_display_name,
              u.avatar_url AS p_avatar_url
       FROM dm_pairs p JOIN rooms r ON r.id = p.room_id
       JOIN users u ON u.id = (CASE WHEN p.low_id = @userId THEN p.high_id ELSE p.low_id END)
       WHERE p.app_id = @appId AND (p.low_id = @userId OR p.high_id = @userId)
       ORDER BY r.id DESC LIMIT max(@limit, 0)`,
    ),
    block: db.prepare<BlockKey & { now: number }>(
      `INSERT OR IGNORE INTO blocks (app_id, blocker_id, blocked_id, created_at)
       VALUES (@appId, @blocker, @blocked, @now)`,
    ),
    unblock: db.prepare<BlockKey>(
      'DELETE FROM blocks WHERE app_id = @appId AND blocker_id = @blocker AND blocked_id = @blocked',
    ),
    isBlocked: db
      .prepare<BlockKey, number>(
        'SELECT 1 FROM blocks WHERE app_id = @appId AND blocker_id = @blocker AND blocked_id = @blocked',
      )
      .pluck(),
    listBlocked: db.prepare<{ appId: number; blocker: number; limit: number }, UserRow>(
      `SELECT u.id, u.app_id, u.username, u.role, u.kind, u.created_at, u.display_name, u.avatar_url
       FROM blocks b JOIN users u ON u.id = b.blocked_id
       WHERE b.app_id = @appId AND b.blocker_id = @blocker
       ORDER BY b.created_at, u.id LIMIT max(@limit, 0)`,
    ),
  };
}

export class SqliteDmStore implements DmStore {
  private readonly q: ReturnType<typeof prepare>;
  private readonly openTx: (key: PairKey, now: number) => { room: Room; created: boolean };

  constructor(private readonly db: Database.Database) {
    this.q = prepare(db);
    const tx = db.transaction((key: PairKey, now: number) => {
      const existing = this.q.pairRoom.get(key);
      if (existing) return { room: toRoom(existing), created: false };
      const name = dmRoomName({ low: key.low, high: key.high });
      const row = found(
        this.q.insertRoom.get({ appId: key.appId, name, key: roomKey(name), by: key.low, now }),
        'room',
      );
      this.q.insertMember.run({ roomId: row.id, userId: key.low });
      this.q.insertMember.run({ roomId: row.id, userId: key.high });
      this.q.insertPair.run({ ...key, roomId: row.id, now });
      return { room: toRoom(row), created: true };
    });
    // IMMEDIATE: another process on the same file waits for the write lock instead of reading a stale "none".
    this.openTx = (key, now) => tx.immediate(key, now);
  }

  async openPair(appId: AppId, pair: DmPair, now: number): Promise<{ room: Room; created: boolean }> {
    return guard(this.db, () => this.openTx({ appId, low: pair.low, high: pair.high }, now));
  }

  async listPairs(appId: AppId, userId: UserId, limit: number): Promise<DmSummary[]> {
    return guard(this.db, () => this.q.list.all({ appId, userId, limit }).map(toDmSummary));
  }

  async block(appId: AppId, blocker: UserId, blocked: UserId, now: number): Promise<boolean> {
    return guard(this.db, () => this.q.block.run({ appId, blocker, blocked, now }).changes > 0);
  }

  async unblock(appId: AppId, blocker: UserId, blocked: UserId): Promise<boolean> {
    return guard(this.db, () => this.q.unblock.run({ appId, blocker, blocked }).changes > 0);
  }

  async isBlocked(appId: AppId, blocker: UserId, blocked: UserId): Promise<boolean> {
    return guard(this.db, () => this.q.isBlocked.get({ appId, blocker, blocked }) !== undefined);
  }

  async listBlocked(appId: AppId, blocker: UserId, limit: number): Promise<User[]> {
    return guard(this.db, () => this.q.listBlocked.all({ appId, blocker, limit }).map(toUser));
  }
}
