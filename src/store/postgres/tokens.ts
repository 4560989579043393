import type { AppId, UserId } from '../../core/types.js';
import type { AccessTokenRecord } from '../../engine/ports/store.js';
import type { TokenStore } from '../../engine/ports/tokenStore.js';
import { toToken, type TokenRow } from '../rows.js';
import { sql, type Db } from './db.js';

const COLUMNS = 'hash, id, app_id, user_id, expires_at, created_at';

const q = {
  listForUser: sql(
    'tokens.list-for-user',
    `SELECT ${COLUMNS} FROM access_tokens
     WHERE app_id = $1 AND user_id = $2 AND (expires_at IS NULL OR expires_at > $3)
     ORDER BY created_at DESC, id LIMIT $4`,
  ),
  revoke: sql(
    'tokens.revoke',
    `DELETE FROM access_tokens WHERE app_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
  ),
  revokeUser: sql(
    'tokens.revoke-user',
    'DELETE FROM access_tokens WHERE app_id = $1 AND user_id = $2 RETURNING id',
  ),
  notBeforeAt: sql(
    'tokens.not-before-at',
    `INSERT INTO user_revocations (app_id, user_id, not_before) VALUES ($1, $2, $3)
     ON CONFLICT (app_id, user_id) DO UPDATE
       SET not_before = GREATEST(user_revocations.not_before, EXCLUDED.not_before)`,
  ),
  notBefore: sql(
    'tokens.not-before',
    'SELECT not_before FROM user_revocations WHERE app_id = $1 AND user_id = $2',
  ),
};

export class PostgresTokenStore implements TokenStore {
  constructor(private readonly db: Db) {}

  async listForUser(
    appId: AppId,
    userId: UserId,
    opts: { now: number; limit: number },
  ): Promise<AccessTokenRecord[]> {
    const rows = await this.db.query<TokenRow>(q.listForUser, [appId, userId, opts.now, opts.limit]);
    return rows.map(toToken);
  }

  async revoke(appId: AppId, id: string): Promise<AccessTokenRecord | null> {
    const [row] = await this.db.query<TokenRow>(q.revoke, [appId, id]);
    return row ? toToken(row) : null;
  }

  async revokeUser(appId: AppId, userId: UserId, at: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.query(q.notBeforeAt, [appId, userId, at]);
      return (await tx.query(q.revokeUser, [appId, userId])).length;
    });
  }

  async notBefore(appId: AppId, userId: UserId): Promise<number | null> {
    const [row] = await this.db.query<{ not_before: number }>(q.notBefore, [appId, userId]);
    return row ? row.not_before : null;
  }
}
