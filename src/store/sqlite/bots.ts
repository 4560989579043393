import type Database from 'better-sqlite3';
import type { BotRecord } from '../../core/bots.js';
import type { AppId, UserId } from '../../core/types.js';
import type { BotStore, BotUpdate } from '../../engine/ports/botStore.js';
import { BOT_COLUMNS, botMapper, botValues, type BotRow } from '../botRows.js';
import { guard } from './errors.js';

const toBot = botMapper<string>((json) => JSON.parse(json) as unknown);

export class SqliteBotStore implements BotStore {
  private readonly insert: Database.Statement<unknown[]>;
  private readonly getQuery: Database.Statement<[number, number], BotRow<string>>;
  private readonly listQuery: Database.Statement<[number], BotRow<string>>;
  private readonly removeQuery: Database.Statement<[number, number]>;
  private readonly updateTx: (appId: AppId, userId: UserId, patch: BotUpdate) => BotRecord | null;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare(`INSERT INTO bots (${BOT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`);
    this.getQuery = db.prepare(`SELECT ${BOT_COLUMNS} FROM bots WHERE app_id = ? AND user_id = ?`);
    this.listQuery = db.prepare(
      `SELECT ${BOT_COLUMNS} FROM bots WHERE app_id = ? ORDER BY created_at, user_id`,
    );
    this.removeQuery = db.prepare('DELETE FROM bots WHERE app_id = ? AND user_id = ?');
    const setEndpoint = db.prepare<[string | null, number, number]>(
      'UPDATE bots SET endpoint = ? WHERE app_id = ? AND user_id = ?',
    );
    const setCommands = db.prepare<[string, number, number]>(
      'UPDATE bots SET commands = ? WHERE app_id = ? AND user_id = ?',
    );
    const setKey = db.prepare<[string, number, number]>(
      'UPDATE bots SET key_id = ? WHERE app_id = ? AND user_id = ?',
    );
    const tx = db.transaction((appId: AppId, userId: UserId, patch: BotUpdate): BotRecord | null => {
      if (patch.endpoint !== undefined) {
        setEndpoint.run(patch.endpoint === null ? null : JSON.stringify(patch.endpoint), appId, userId);
      }
      if (patch.commands !== undefined) setCommands.run(JSON.stringify(patch.commands), appId, userId);
      if (patch.keyId !== undefined) setKey.run(patch.keyId, appId, userId);
      const row = this.getQuery.get(appId, userId);
      return row ? toBot(row) : null;
    });
    this.updateTx = (appId, userId, patch) => tx.immediate(appId, userId, patch);
  }

  async create(bot: BotRecord): Promise<void> {
    guard(this.db, () => this.insert.run(...botValues(bot)), 'the user is a bot already');
  }

  async get(appId: AppId, userId: UserId): Promise<BotRecord | null> {
    return guard(this.db, () => {
      const row = this.getQuery.get(appId, userId);
      return row ? toBot(row) : null;
    });
  }

  async list(appId: AppId): Promise<BotRecord[]> {
    return guard(this.db, () => this.listQuery.all(appId).map(toBot));
  }

  async update(appId: AppId, userId: UserId, patch: BotUpdate): Promise<BotRecord | null> {
    return guard(this.db, () => this.updateTx(appId, userId, patch));
  }

  async remove(appId: AppId, userId: UserId): Promise<boolean> {
    return guard(this.db, () => this.removeQuery.run(appId, userId).changes > 0);
  }
}
