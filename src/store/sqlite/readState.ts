import type Database from 'better-sqlite3';
import { usernameKey } from '../../core/names.js';
import type { AppId, RoomId, User, UserId } from '../../core/types.js';
import type { MarkerWrite, ReadStateStore, ReceiptRow, UnreadRow } from '../../engine/ports/readStore.js';
import { toUser, type UserRow } from '../rows.js';
import { toReceipt, type ReceiptDbRow } from '../receipts.js';
import { guard } from './errors.js';

// Messages after a marker that count as unread for its user: not theirs, not deleted, and visible to everyone
// (a held, hidden or shadow message is not counted, even for staff, who hear of those through the queue).
// `@user`, `@room` and `@seq` are the marker's.
const UNREAD = `SELECT COUNT(*) FROM messages m WHERE m.room_id = @room AND m.seq > @seq AND m.deleted_at IS NULL
  AND m.visibility = 'visible' AND (m.author_id IS NULL OR m.author_id <> @user)`;
const UNREAD_MENTIONS = `SELECT COUNT(*) FROM message_mentions mm JOIN messages m ON m.id = mm.message_id
  WHERE mm.user_id = @user AND mm.room_id = @room AND mm.seq > @seq AND m.deleted_at IS NULL
  AND m.visibility = 'visible' AND (m.author_id IS NULL OR m.author_id <> @user)`;
const ofMarker = (sql: string) =>
  sql.replaceAll('@user', 'r.user_id').replaceAll('@room', 'r.room_id').replaceAll('@seq', 'r.seq');

// A marker is written only for a room of its app and a user that exist (the SELECT finds no row otherwise).
const INSERT_MARKER = `INSERT INTO read_markers (user_id, room_id, app_id, seq)
  SELECT @userId, r.id, r.app_id, @seq FROM rooms r
  WHERE r.id = @roomId AND r.app_id = @appId AND EXISTS (SELECT 1 FROM users WHERE id = @userId)
  ON CONFLICT (user_id, room_id) DO`;

type MarkerParams = { appId: number; userId: number; roomId: number; seq: number };

function prepare(db: Database.Database) {
  return {
    usersByKeys: db.prepare<{ appId: number; keys: string }, UserRow>(
      `SELECT id, app_id, username, role, kind, created_at FROM users
       WHERE app_id = @appId AND username_key IN (SELECT value FROM json_each(@keys))`,
    ),
    marker: db
      .prepare<[number, number], number>('SELECT seq FROM read_markers WHERE user_id = ? AND room_id = ?')
      .pluck(),
    create: db.prepare<MarkerParams>(`${INSERT_MARKER} NOTHING`),
    advance: db.prepare<MarkerParams>(`${INSERT_MARKER} UPDATE SET seq = max(seq, excluded.seq)`),
    unread: db.prepare<{ appId: number; userId: number }, UnreadRow>(
      `SELECT r.room_id AS roomId, r.seq AS seq, (${ofMarker(UNREAD)}) AS unread,
              (${ofMarker(UNREAD_MENTIONS)}) AS unreadMentions
       FROM read_markers r WHERE r.user_id = @userId AND r.app_id = @appId ORDER BY r.room_id`,
    ),
    listMarkers: db.prepare<[number, number], ReceiptDbRow>(
      `SELECT u.id, u.username, u.role, u.display_name, u.avatar_url, r.seq FROM read_markers r JOIN users u ON u.id = r.user_id
       WHERE r.room_id = ? ORDER BY r.seq DESC, u.id LIMIT max(?, 0)`,
    ),
    countAfter: db.prepare<{ user: number; room: number; seq: number }, Omit<UnreadRow, 'roomId' | 'seq'>>(
      `SELECT (${UNREAD}) AS unread, (${UNREAD_MENTIONS}) AS unreadMentions`,
    ),
  };
}

export class SqliteReadState implements ReadStateStore {
  private readonly q: ReturnType<typeof prepare>;
  private readonly saveTx: (writes: readonly MarkerWrite[]) => void;

  constructor(private readonly db: Database.Database) {
    this.q = prepare(db);
    const tx = db.transaction((writes: readonly MarkerWrite[]) => {
      for (const w of writes) {
        const params = { appId: w.appId, userId: w.userId, roomId: w.roomId, seq: w.seq };
        (w.createOnly ? this.q.create : this.q.advance).run(params);
      }
    });
    this.saveTx = (writes) => tx.immediate(writes);
  }

  async findUsersByNames(appId: AppId, usernames: readonly string[]): Promise<User[]> {
    if (usernames.length === 0) return [];
    const keys = JSON.stringify(usernames.map(usernameKey));
    return guard(this.db, () => this.q.usersByKeys.all({ appId, keys }).map(toUser));
  }

  async getMarker(userId: UserId, roomId: RoomId): Promise<number | null> {
    return guard(this.db, () => this.q.marker.get(userId, roomId) ?? null);
  }

  async saveMarkers(writes: readonly MarkerWrite[]): Promise<void> {
    if (writes.length === 0) return;
    guard(this.db, () => this.saveTx(writes));
  }

  async unreadCounts(appId: AppId, userId: UserId): Promise<UnreadRow[]> {
    return guard(this.db, () => this.q.unread.all({ appId, userId }));
  }

  async countAfter(
    userId: UserId,
    roomId: RoomId,
    seq: number,
  ): Promise<{ unread: number; unreadMentions: number }> {
    return guard(this.db, () => {
      const row = this.q.countAfter.get({ user: userId, room: roomId, seq });
      return { unread: row?.unread ?? 0, unreadMentions: row?.unreadMentions ?? 0 };
    });
  }

  async listMarkers(roomId: RoomId, limit: number): Promise<ReceiptRow[]> {
    return guard(this.db, () => this.q.listMarkers.all(roomId, Math.trunc(limit)).map(toReceipt));
  }
}
