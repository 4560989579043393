import type { Strike } from '../../core/escalation.js';
import type { AppId, UserId } from '../../core/types.js';
import { STRIKE_HISTORY_MS, type StrikeStore } from '../../engine/ports/strikeStore.js';
import { STRIKE_COLUMNS, toStrike, type StrikeRow } from '../strikeRows.js';
import { sql, type Db } from './db.js';

const q = {
  forget: sql('strikes.forget', 'DELETE FROM strikes WHERE app_id = $1 AND user_id = $2 AND expires_at < $3'),
  insert: sql(
    'strikes.insert',
    `INSERT INTO strikes (app_id, user_id, source, reason, at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
  ),
  count: sql(
    'strikes.count',
    'SELECT count(*)::int AS n FROM strikes WHERE app_id = $1 AND user_id = $2 AND expires_at > $3',
  ),
  list: sql(
    'strikes.list',
    `SELECT ${STRIKE_COLUMNS} FROM strikes WHERE app_id = $1 AND user_id = $2 ORDER BY id DESC LIMIT $3`,
  ),
};

export class PostgresStrikeStore implements StrikeStore {
  constructor(private readonly db: Db) {}

  async add(strike: Strike): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.query(q.forget, [strike.appId, strike.userId, strike.at - STRIKE_HISTORY_MS]);
      await tx.query(q.insert, [
        strike.appId,
        strike.userId,
        strike.source,
        strike.reason,
        strike.at,
        strike.expiresAt,
      ]);
      const [row] = await tx.query<{ n: number }>(q.count, [strike.appId, strike.userId, strike.at]);
      return row?.n ?? 1;
    });
  }

  async list(appId: AppId, userId: UserId, limit: number): Promise<Strike[]> {
    return (await this.db.query<StrikeRow>(q.list, [appId, userId, limit])).map(toStrike);
  }
}
