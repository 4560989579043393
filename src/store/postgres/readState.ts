import { usernameKey } from '../../core/names.js';
import type { AppId, RoomId, User, UserId } from '../../core/types.js';
import type { MarkerWrite, ReadStateStore, ReceiptRow, UnreadRow } from '../../engine/ports/readStore.js';
import { toReceipt, type ReceiptDbRow } from '../receipts.js';
import { toUser, type UserRow } from '../rows.js';
import { sql, type Db } from './db.js';

// Messages after a marker that count as unread for its user: not theirs, not deleted, and visible to everyone
// (as in the SQLite store). USER, ROOM and SEQ are the marker's (columns, or parameters).
const unread = (user: string, room: string, seq: string) =>
  `SELECT COUNT(*) FROM messages m WHERE m.room_id = ${room} AND m.seq > ${seq} AND m.deleted_at IS NULL
     AND m.visibility = 'visible' AND (m.author_id IS NULL OR m.author_id <> ${user})`;
const unreadMentions = (user: string, room: string, seq: string) =>
  `SELECT COUNT(*) FROM message_mentions mm JOIN messages m ON m.id = mm.message_id
   WHERE mm.user_id = ${user} AND mm.room_id = ${room} AND mm.seq > ${seq} AND m.deleted_at IS NULL
     AND m.visibility = 'visible' AND (m.author_id IS NULL OR m.author_id <> ${user})`;

// Markers travel as four parallel arrays; a marker of a room (of its app) or a user that is gone finds no row.
const INSERT_MARKERS = `INSERT INTO read_markers (user_id, room_id, app_id, seq)
  SELECT w.user_id, r.id, r.app_id, w.seq
  FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[]) AS w(app_id, user_id, room_id, seq)
  JOIN rooms r ON r.id = w.room_id AND r.app_id = w.app_id JOIN users u ON u.id = w.user_id
  ON CONFLICT (user_id, room_id) DO`;

const q = {
  usersByKeys: sql(
    'reads.users-by-keys',
    `SELECT id, app_id, username, role, kind, created_at FROM users
     WHERE app_id = $1 AND username_key = ANY($2::text[])`,
  ),
  marker: sql('reads.marker', 'SELECT seq FROM read_markers WHERE user_id = $1 AND room_id = $2'),
  create: sql('reads.create', `${INSERT_MARKERS} NOTHING`),
  advance: sql(
    'reads.advance',
    `${INSERT_MARKERS} UPDATE SET seq = GREATEST(read_markers.seq, EXCLUDED.seq)`,
  ),
  unread: sql(
    'reads.unread',
    `SELECT r.room_id AS "roomId", r.seq AS seq,
            (${unread('r.user_id', 'r.room_id', 'r.seq')}) AS unread,
            (${unreadMentions('r.user_id', 'r.room_id', 'r.seq')}) AS "unreadMentions"
     FROM read_markers r WHERE r.user_id = $2 AND r.app_id = $1 ORDER BY r.room_id`,
  ),
  listMarkers: sql(
    'reads.list-markers',
    `SELECT u.id, u.username, u.role, u.display_name, u.avatar_url, r.seq FROM read_markers r JOIN users u ON u.id = r.user_id
     WHERE r.room_id = $1 ORDER BY r.seq DESC, u.id LIMIT $2`,
  ),
  countAfter: sql(
    'reads.count-after',
    `SELECT (${unread('$1', '$2', '$3')}) AS unread, (${unreadMentions('$1', '$2', '$3')}) AS "unreadMentions"`,
  ),
};

/** Parallel arrays for INSERT_MARKERS, in (user, room) order so that concurrent flushes lock rows alike. */
function columns(writes: readonly MarkerWrite[]): number[][] {
  const sorted = [...writes].sort((a, b) => a.userId - b.userId || a.roomId - b.roomId);
  return [
    sorted.map((w) => w.appId),
    sorted.map((w) => w.userId),
    sorted.map((w) => w.roomId),
    sorted.map((w) => w.seq),
  ];
}

/** One write per (user, room): ON CONFLICT DO UPDATE may not touch a row twice in one statement. */
function merged(writes: readonly MarkerWrite[]): MarkerWrite[] {
  const byKey = new Map<string, MarkerWrite>();
  for (const w of writes) {
    const key = `${w.userId}:${w.roomId}`;
    const prev = byKey.get(key);
    byKey.set(
      key,
      prev ? { ...w, seq: Math.max(prev.seq, w.seq), createOnly: prev.createOnly && w.createOnly } : w,
    );
  }
  return [...byKey.values()];
}

export class PostgresReadState implements ReadStateStore {
  constructor(private readonly db: Db) {}

  async findUsersByNames(appId: AppId, usernames: readonly string[]): Promise<User[]> {
    if (usernames.length === 0) return [];
    const rows = await this.db.query<UserRow>(q.usersByKeys, [appId, usernames.map(usernameKey)]);
    return rows.map(toUser);
  }

  async getMarker(userId: UserId, roomId: RoomId): Promise<number | null> {
    const [row] = await this.db.query<{ seq: number }>(q.marker, [userId, roomId]);
    return row?.seq ?? null;
  }

  async saveMarkers(writes: readonly MarkerWrite[]): Promise<void> {
    const all = merged(writes);
    const create = all.filter((w) => w.createOnly);
    const advance = all.filter((w) => !w.createOnly);
    if (all.length === 0) return;
    await this.db.transaction(async (tx) => {
      if (advance.length > 0) await tx.query(q.advance, columns(advance));
      if (create.length > 0) await tx.query(q.create, columns(create));
    });
  }

  async unreadCounts(appId: AppId, userId: UserId): Promise<UnreadRow[]> {
    return this.db.query<UnreadRow>(q.unread, [appId, userId]);
  }

  async countAfter(
    userId: UserId,
    roomId: RoomId,
    seq: number,
  ): Promise<{ unread: number; unreadMentions: number }> {
    const [row] = await this.db.query<{ unread: number; unreadMentions: number }>(q.countAfter, [
      userId,
      roomId,
      seq,
    ]);
    return { unread: row?.unread ?? 0, unreadMentions: row?.unreadMentions ?? 0 };
  }

  async listMarkers(roomId: RoomId, limit: number): Promise<ReceiptRow[]> {
    const rows = await this.db.query<ReceiptDbRow>(q.listMarkers, [roomId, Math.max(Math.trunc(limit), 0)]);
    return rows.map(toReceipt);
  }
}
