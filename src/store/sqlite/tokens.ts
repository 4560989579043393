import type Database from 'better-sqlite3';
import type { AppId, UserId } from '../../core/types.js';
import type { AccessTokenRecord } from '../../engine/ports/store.js';
import type { TokenStore } from '../../engine/ports/tokenStore.js';
import { toToken, type TokenRow } from '../rows.js';
import { guard } from './errors.js';

export class SqliteTokenStore implements TokenStore {
  private readonly q;

  constructor(private readonly db: Database.Database) {
    this.q = {
      listForUser: db.prepare<[number, number, number, number], TokenRow>(
        `SELECT * FROM access_tokens WHERE app_id = ? AND user_id = ? AND (expires_at IS NULL OR expires_at > ?)
         ORDER BY created_at DESC, id LIMIT ?`,
      ),
      revoke: db.prepare<[number, string], TokenRow>(
        'DELETE FROM access_tokens WHERE app_id = ? AND id = ? RETURNING *',
      ),
      revokeUser: db.prepare<[number, number]>('DELETE FROM access_tokens WHERE app_id = ? AND user_id = ?'),
      notBeforeAt: db.prepare<[number, number, number]>(
        `INSERT INTO user_revocations (app_id, user_id, not_before) VALUES (?, ?, ?)
         ON CONFLICT (app_id, user_id) DO UPDATE SET not_before = max(not_before, excluded.not_before)`,
      ),
      notBefore: db
        .prepare<[number, number], number>(
          'SELECT not_before FROM user_revocations WHERE app_id = ? AND user_id = ?',
        )
        .pluck(),
    };
  }

  async listForUser(
    appId: AppId,
    userId: UserId,
    opts: { now: number; limit: number },
  ): Promise<AccessTokenRecord[]> {
    return guard(this.db, () => this.q.listForUser.all(appId, userId, opts.now, opts.limit).map(toToken));
  }

  async revoke(appId: AppId, id: string): Promise<AccessTokenRecord | null> {
    return guard(this.db, () => {
      const row = this.q.revoke.get(appId, id);
      return row ? toToken(row) : null;
    });
  }

  async revokeUser(appId: AppId, userId: UserId, at: number): Promise<number> {
    const both = this.db.transaction(() => {
      this.q.notBeforeAt.run(appId, userId, at);
      return this.q.revokeUser.run(appId, userId).changes;
    });
    return guard(this.db, () => both.immediate());
  }

  async notBefore(appId: AppId, userId: UserId): Promise<number | null> {
    return guard(this.db, () => this.q.notBefore.get(appId, userId) ?? null);
  }
}
