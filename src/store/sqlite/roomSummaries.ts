import type Database from 'better-sqlite3';
import type { AppId, UserId } from '../../core/types.js';
import type { RoomSummary } from '../../engine/ports/store.js';
import { toRoom, type RoomRow } from '../rows.js';

interface SummaryRow extends RoomRow {
  last_seq: number;
  member: number;
}

/**
 * The room list of an app in one statement: each room with its last seq (kept on the room row) and whether
 * the user is a member. `user_id = NULL` matches no row, so without a user every room reads as not joined.
 */
export function prepareRoomSummaries(db: Database.Database) {
  const statement = db.prepare<{ appId: number; userId: number | null }, SummaryRow>(
    `SELECT r.id, r.app_id, r.name, r.visibility, r.topic, r.created_by, r.created_at, r.slow_mode_seconds, r.retention_days, r.last_seq,
       EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = r.id AND m.user_id = @userId) AS member
     FROM rooms r WHERE r.app_id = @appId ORDER BY r.id`,
  );
  return (appId: AppId, userId: UserId | null): RoomSummary[] =>
    statement.all({ appId, userId }).map((row) => ({
      room: toRoom(row),
      lastSeq: row.last_seq,
      member: row.member === 1,
    }));
}
