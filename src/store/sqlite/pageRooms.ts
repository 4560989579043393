import type Database from 'better-sqlite3';
import type { AppId } from '../../core/types.js';
import { COUNT_PAGE_ROOMS, type PageRoomStore } from '../../engine/ports/pageRoomStore.js';
import { sqliteText } from '../reportRows.js';
import { guard } from './errors.js';

export class SqlitePageRoomStore implements PageRoomStore {
  private readonly countQuery: Database.Statement<{ p1: number }, number>;

  constructor(private readonly db: Database.Database) {
    this.countQuery = db.prepare<{ p1: number }, number>(sqliteText(COUNT_PAGE_ROOMS)).pluck();
  }

  async count(appId: AppId): Promise<number> {
    return guard(this.db, () => this.countQuery.get({ p1: appId }) ?? 0);
  }
}
