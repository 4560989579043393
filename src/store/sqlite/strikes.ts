import type Database from 'better-sqlite3';
import type { Strike } from '../../core/escalation.js';
import type { AppId, UserId } from '../../core/types.js';
import { STRIKE_HISTORY_MS, type StrikeStore } from '../../engine/ports/strikeStore.js';
import { STRIKE_COLUMNS, toStrike, type StrikeRow } from '../strikeRows.js';
import { guard } from './errors.js';

export class SqliteStrikeStore implements StrikeStore {
  private readonly addTx: (strike: Strike) => number;
  private readonly listQuery: Database.Statement<[number, number, number], StrikeRow>;

  constructor(private readonly db: Database.Database) {
    const insert = db.prepare<Strike>(
      `INSERT INTO strikes (app_id, user_id, source, reason, at, expires_at)
       VALUES (@appId, @userId, @source, @reason, @at, @expiresAt)`,
    );
    const forget = db.prepare<[number, number, number]>(
      'DELETE FROM strikes WHERE app_id = ? AND user_id = ? AND expires_at < ?',
    );
    const count = db
      .prepare<[number, number, number], number>(
        'SELECT count(*) FROM strikes WHERE app_id = ? AND user_id = ? AND expires_at > ?',
      )
      .pluck();
    const tx = db.transaction((strike: Strike): number => {
      forget.run(strike.appId, strike.userId, strike.at - STRIKE_HISTORY_MS);
      insert.run(strike);
      return count.get(strike.appId, strike.userId, strike.at) ?? 0;
    });
    this.addTx = (strike) => tx.immediate(strike);
    this.listQuery = db.prepare<[number, number, number], StrikeRow>(
      `SELECT ${STRIKE_COLUMNS} FROM strikes WHERE app_id = ? AND user_id = ? ORDER BY id DESC LIMIT ?`,
    );
  }

  async add(strike: Strike): Promise<number> {
    return guard(this.db, () => this.addTx(strike));
  }

  async list(appId: AppId, userId: UserId, limit: number): Promise<Strike[]> {
    return guard(this.db, () => this.listQuery.all(appId, userId, limit).map(toStrike));
  }
}
