import type Database from 'better-sqlite3';
import type { AppId, UserId } from '../../core/types.js';
import type { GuestRoster, RemovableGuests } from '../../engine/ports/store.js';
import { guard } from './errors.js';

// A guest that may go: a plain guest (its role never raised), not seen since @seenBefore, and not held by a
// ban or a mute in force (removing it would lift them). Ids travel as a JSON array (json_each).
const REMOVABLE = `u.app_id = @appId AND u.kind = 'guest' AND u.role = 'guest'
  AND COALESCE(u.last_seen_at, u.created_at) < @seenBefore
  AND NOT EXISTS (SELECT 1 FROM bans b WHERE b.app_id = u.app_id AND b.user_id = u.id
                  AND (b.expires_at IS NULL OR b.expires_at > @now))
  AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.app_id = u.app_id AND m.user_id = u.id
                  AND (m.expires_at IS NULL OR m.expires_at > @now))`;

type Removable = { appId: number; seenBefore: number; now: number };

function prepare(db: Database.Database) {
  return {
    count: db
      .prepare<[number], number>("SELECT COUNT(*) FROM users WHERE app_id = ? AND kind = 'guest'")
      .pluck(),
    markSeen: db.prepare<{ appId: number; ids: string; now: number }>(
      `UPDATE users SET last_seen_at = @now
       WHERE app_id = @appId AND kind = 'guest' AND id IN (SELECT value FROM json_each(@ids))`,
    ),
    listRemovable: db
      .prepare<Removable & { limit: number }, number>(
        `SELECT u.id FROM users u WHERE ${REMOVABLE}
         ORDER BY COALESCE(u.last_seen_at, u.created_at), u.id LIMIT max(@limit, 0)`,
      )
      .pluck(),
    // Tokens and memberships go by ON DELETE CASCADE; messages keep author_name (author_id becomes NULL).
    remove: db.prepare<Removable & { ids: string }>(
      `DELETE FROM users AS u WHERE u.id IN (SELECT value FROM json_each(@ids)) AND ${REMOVABLE}`,
    ),
    linkMessages: db.prepare<{ appId: number; guestId: number; toUserId: number }>(
      `UPDATE messages SET author_id = @toUserId,
         author_name = (SELECT username FROM users WHERE id = @toUserId),
         client_msg_id = CASE WHEN EXISTS (
           SELECT 1 FROM messages o WHERE o.room_id = messages.room_id AND o.author_id = @toUserId
             AND o.client_msg_id = messages.client_msg_id) THEN NULL ELSE client_msg_id END
       WHERE app_id = @appId AND author_id = @guestId`,
    ),
  };
}

export class SqliteGuestRoster implements GuestRoster {
  private readonly q: ReturnType<typeof prepare>;

  constructor(private readonly db: Database.Database) {
    this.q = prepare(db);
  }

  async count(appId: AppId): Promise<number> {
    return guard(this.db, () => this.q.count.get(appId) ?? 0);
  }

  async markSeen(appId: AppId, userIds: readonly UserId[], now: number): Promise<number> {
    if (userIds.length === 0) return 0;
    return guard(this.db, () => this.q.markSeen.run({ appId, ids: JSON.stringify(userIds), now }).changes);
  }

  async listRemovable(appId: AppId, opts: RemovableGuests & { limit: number }): Promise<UserId[]> {
    const { seenBefore, now, limit } = opts;
    return guard(this.db, () =>
      this.q.listRemovable.all({ appId, seenBefore, now, limit: Math.trunc(limit) }),
    );
  }

  async remove(appId: AppId, userIds: readonly UserId[], opts: RemovableGuests): Promise<number> {
    if (userIds.length === 0) return 0;
    const { seenBefore, now } = opts;
    return guard(
      this.db,
      () => this.q.remove.run({ appId, ids: JSON.stringify(userIds), seenBefore, now }).changes,
    );
  }

  async linkMessages(appId: AppId, guestId: UserId, toUserId: UserId): Promise<number> {
    return guard(this.db, () => this.q.linkMessages.run({ appId, guestId, toUserId }).changes);
  }
}
