import type { BotRecord } from '../../core/bots.js';
import type { AppId, UserId } from '../../core/types.js';
import type { BotStore, BotUpdate } from '../../engine/ports/botStore.js';
import { BOT_COLUMNS, botMapper, botValues, type BotRow } from '../botRows.js';
import { sql, type Db } from './db.js';

const toBot = botMapper<unknown>((json) => json);

const q = {
  insert: sql('bots.insert', `INSERT INTO bots (${BOT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`),
  get: sql('bots.get', `SELECT ${BOT_COLUMNS} FROM bots WHERE app_id = $1 AND user_id = $2`),
  list: sql('bots.list', `SELECT ${BOT_COLUMNS} FROM bots WHERE app_id = $1 ORDER BY created_at, user_id`),
  remove: sql('bots.remove', 'DELETE FROM bots WHERE app_id = $1 AND user_id = $2 RETURNING user_id'),
  // A field left out keeps its value: `$3` (and `$5`, `$7`) say whether the next parameter is given.
  update: sql(
    'bots.update',
    `UPDATE bots SET
       endpoint = CASE WHEN $3 THEN $4::jsonb ELSE endpoint END,
       commands = CASE WHEN $5 THEN $6::jsonb ELSE commands END,
       key_id = CASE WHEN $7 THEN $8 ELSE key_id END
     WHERE app_id = $1 AND user_id = $2 RETURNING ${BOT_COLUMNS}`,
  ),
};

export class PostgresBotStore implements BotStore {
  constructor(private readonly db: Db) {}

  async create(bot: BotRecord): Promise<void> {
    await this.db.query(q.insert, botValues(bot), 'the user is a bot already');
  }

  async get(appId: AppId, userId: UserId): Promise<BotRecord | null> {
    const [row] = await this.db.query<BotRow<unknown>>(q.get, [appId, userId]);
    return row ? toBot(row) : null;
  }

  async list(appId: AppId): Promise<BotRecord[]> {
    return (await this.db.query<BotRow<unknown>>(q.list, [appId])).map(toBot);
  }

  async update(appId: AppId, userId: UserId, patch: BotUpdate): Promise<BotRecord | null> {
    const endpoint = patch.endpoint === undefined || patch.endpoint === null ? null : patch.endpoint;
    const [row] = await this.db.query<BotRow<unknown>>(q.update, [
      appId,
      userId,
      patch.endpoint !== undefined,
      endpoint === null ? null : JSON.stringify(endpoint),
      patch.commands !== undefined,
      JSON.stringify(patch.commands ?? []),
      patch.keyId !== undefined,
      patch.keyId ?? '',
    ]);
    return row ? toBot(row) : null;
  }

  async remove(appId: AppId, userId: UserId): Promise<boolean> {
    return (await this.db.query(q.remove, [appId, userId])).length > 0;
  }
}
