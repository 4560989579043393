import type { DmPair } from '../../core/dms.js';
import { dmRoomName } from '../../core/dms.js';
import type { AppId, Room, User, UserId } from '../../core/types.js';
import type { DmStore, DmSummary } from '../../engine/ports/dmStore.js';
import { found, roomKey, toRoom, toUser, type RoomRow, type UserRow } from '../rows.js';
import { toDmSummary, type SummaryRow } from '../dmRows.js';
import { sql, type Db } from './db.js';

const ROOM = 'r.id, r.app_id, r.name, r.visibility, r.topic, r.created_by, r.created_at';

const q = {
  pairRoom: sql(
    'dms.pair-room',
    `SELECT ${ROOM} FROM dm_pairs p JOIN rooms r ON r.id = p.room_id
     WHERE p.app_id = $1 AND p.low_id = $2 AND p.high_id = $3`,
  ),
  // A racing opener on another node waits on the unique name, then finds the row the first one committed.
  insertRoom: sql(
    'dms.insert-room',
    `INSERT INTO rooms (app_id, name, name_key, visibility, topic, created_by, created_at)
     VALUES ($1, $2, $3, 'private', '', $4, $5)
     ON CONFLICT (app_id, name_key) DO NOTHING
     RETURNING id, app_id, name, visibility, topic, created_by, created_at`,
  ),
  roomByKey: sql(
    'dms.room-by-key',
    `SELECT id, app_id, name, visibility, topic, created_by, created_at FROM rooms
     WHERE app_id = $1 AND name_key = $2`,
  ),
  insertMembers: sql(
    'dms.insert-members',
    'INSERT INTO room_members (room_id, user_id) VALUES ($1, $2), ($1, $3) ON CONFLICT DO NOTHING',
  ),
  insertPair: sql(
    'dms.insert-pair',
    `INSERT INTO dm_pairs (app_id, low_id, high_id, room_id, created_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING`,
  ),
  list: sql(
    'dms.list',
    `SELECT ${ROOM}, r.last_seq, u.id AS p_id, u.username AS p_username, u.role AS p_role, u.kind AS p_kind,
            u.created_at AS p_created_at, u.display_name AS p_display_name,
              u.avatar_url AS p_avatar_url
     FROM dm_pairs p JOIN rooms r ON r.id = p.room_id
     JOIN users u ON u.id = (CASE WHEN p.low_id = $2 THEN p.high_id ELSE p.low_id END)
     WHERE p.app_id = $1 AND (p.low_id = $2 OR p.high_id = $2)
     ORDER BY r.id DESC LIMIT $3`,
  ),
  block: sql(
    'dms.block',
    `INSERT INTO blocks (app_id, blocker_id, blocked_id, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING 1 AS one`,
  ),
  unblock: sql(
    'dms.unblock',
    'DELETE FROM blocks WHERE app_id = $1 AND blocker_id = $2 AND blocked_id = $3 RETURNING 1 AS one',
  ),
  isBlocked: sql(
    'dms.is-blocked',
    'SELECT 1 AS one FROM blocks WHERE app_id = $1 AND blocker_id = $2 AND blocked_id = $3',
  ),
  listBlocked: sql(
    'dms.list-blocked',
    `SELECT u.id, u.app_id, u.username, u.role, u.kind, u.created_at, u.display_name, u.avatar_url
     FROM blocks b JOIN users u ON u.id = b.blocked_id
     WHERE b.app_id = $1 AND b.blocker_id = $2
     ORDER BY b.created_at, u.id LIMIT $3`,
  ),
};

export class PostgresDmStore implements DmStore {
  constructor(private readonly db: Db) {}

  async openPair(appId: AppId, pair: DmPair, now: number): Promise<{ room: Room; created: boolean }> {
    return this.db.transaction(async (tx) => {
      const [existing] = await tx.query<RoomRow>(q.pairRoom, [appId, pair.low, pair.high]);
      if (existing) return { room: toRoom(existing), created: false };
      const name = dmRoomName(pair);
      const [inserted] = await tx.query<RoomRow>(q.insertRoom, [appId, name, roomKey(name), pair.low, now]);
      // None inserted: another opener committed the room meanwhile (READ COMMITTED: this statement sees it).
      const row =
        inserted ?? found((await tx.query<RoomRow>(q.roomByKey, [appId, roomKey(name)]))[0], 'room');
      await tx.query(q.insertMembers, [row.id, pair.low, pair.high]);
      await tx.query(q.insertPair, [appId, pair.low, pair.high, row.id, now]);
      return { room: toRoom(row), created: inserted !== undefined };
    });
  }

  async listPairs(appId: AppId, userId: UserId, limit: number): Promise<DmSummary[]> {
    const rows = await this.db.query<SummaryRow>(q.list, [appId, userId, Math.max(0, Math.trunc(limit))]);
    return rows.map(toDmSummary);
  }

  async block(appId: AppId, blocker: UserId, blocked: UserId, now: number): Promise<boolean> {
    return (await this.db.query(q.block, [appId, blocker, blocked, now])).length > 0;
  }

  async unblock(appId: AppId, blocker: UserId, blocked: UserId): Promise<boolean> {
    return (await this.db.query(q.unblock, [appId, blocker, blocked])).length > 0;
  }

  async isBlocked(appId: AppId, blocker: UserId, blocked: UserId): Promise<boolean> {
    return (await this.db.query(q.isBlocked, [appId, blocker, blocked])).length > 0;
  }

  async listBlocked(appId: AppId, blocker: UserId, limit: number): Promise<User[]> {
    const rows = await this.db.query<UserRow>(q.listBlocked, [
      appId,
      blocker,
      Math.max(0, Math.trunc(limit)),
    ]);
    return rows.map(toUser);
  }
}
