import type { AppId, UserId } from '../../core/types.js';
import type { GuestRoster, RemovableGuests } from '../../engine/ports/store.js';
import { sql, type Db } from './db.js';

// As in the SQLite store: a plain guest (its role never raised), not seen since $2, and not held by a ban or a
// mute in force at $3 (removing it would lift them).
const REMOVABLE = `u.app_id = $1 AND u.kind = 'guest' AND u.role = 'guest'
  AND COALESCE(u.last_seen_at, u.created_at) < $2
  AND NOT EXISTS (SELECT 1 FROM bans b WHERE b.app_id = u.app_id AND b.user_id = u.id
                  AND (b.expires_at IS NULL OR b.expires_at > $3))
  AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.app_id = u.app_id AND m.user_id = u.id
                  AND (m.expires_at IS NULL OR m.expires_at > $3))`;

const q = {
  count: sql('guests.count', "SELECT COUNT(*)::bigint AS n FROM users WHERE app_id = $1 AND kind = 'guest'"),
  markSeen: sql(
    'guests.mark-seen',
    `WITH seen AS (
       UPDATE users SET last_seen_at = $3 WHERE app_id = $1 AND kind = 'guest' AND id = ANY($2::bigint[])
       RETURNING 1
     )
     SELECT COUNT(*)::bigint AS n FROM seen`,
  ),
  listRemovable: sql(
    'guests.list-removable',
    `SELECT u.id FROM users u WHERE ${REMOVABLE}
     ORDER BY COALESCE(u.last_seen_at, u.created_at), u.id LIMIT $4`,
  ),
  // Tokens and memberships go by ON DELETE CASCADE; messages keep author_name (author_id becomes NULL).
  remove: sql(
    'guests.remove',
    `WITH gone AS (
       DELETE FROM users u WHERE u.id = ANY($4::bigint[]) AND ${REMOVABLE} RETURNING 1
     )
     SELECT COUNT(*)::bigint AS n FROM gone`,
  ),
  linkMessages: sql(
    'guests.link-messages',
    `WITH moved AS (
       UPDATE messages m SET author_id = $3,
         author_name = (SELECT username FROM users WHERE id = $3),
         client_msg_id = CASE WHEN EXISTS (
           SELECT 1 FROM messages o WHERE o.room_id = m.room_id AND o.author_id = $3
             AND o.client_msg_id = m.client_msg_id) THEN NULL ELSE m.client_msg_id END
       WHERE m.app_id = $1 AND m.author_id = $2
       RETURNING 1
     )
     SELECT COUNT(*)::bigint AS n FROM moved`,
  ),
};

type Count = { n: number };

export class PostgresGuestRoster implements GuestRoster {
  constructor(private readonly db: Db) {}

  async count(appId: AppId): Promise<number> {
    const [row] = await this.db.query<Count>(q.count, [appId]);
    return row?.n ?? 0;
  }

  async markSeen(appId: AppId, userIds: readonly UserId[], now: number): Promise<number> {
    if (userIds.length === 0) return 0;
    const [row] = await this.db.query<Count>(q.markSeen, [appId, [...userIds], now]);
    return row?.n ?? 0;
  }

  async listRemovable(appId: AppId, opts: RemovableGuests & { limit: number }): Promise<UserId[]> {
    const limit = Math.max(Math.trunc(opts.limit), 0);
    const rows = await this.db.query<{ id: number }>(q.listRemovable, [
      appId,
      opts.seenBefore,
      opts.now,
      limit,
    ]);
    return rows.map((r) => r.id);
  }

  async remove(appId: AppId, userIds: readonly UserId[], opts: RemovableGuests): Promise<number> {
    if (userIds.length === 0) return 0;
    const [row] = await this.db.query<Count>(q.remove, [appId, opts.seenBefore, opts.now, [...userIds]]);
    return row?.n ?? 0;
  }

  async linkMessages(appId: AppId, guestId: UserId, toUserId: UserId): Promise<number> {
    const [row] = await this.db.query<Count>(q.linkMessages, [appId, guestId, toUserId]);
    return row?.n ?? 0;
  }
}
