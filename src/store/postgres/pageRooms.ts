import type { AppId } from '../../core/types.js';
import { COUNT_PAGE_ROOMS, type PageRoomStore } from '../../engine/ports/pageRoomStore.js';
import { sql, type Db } from './db.js';

const countStatement = sql('page-rooms.count', COUNT_PAGE_ROOMS.replace('count(*)', 'count(*)::int'));

export class PostgresPageRoomStore implements PageRoomStore {
  constructor(private readonly db: Db) {}

  async count(appId: AppId): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(countStatement, [appId]);
    return row?.n ?? 0;
  }
}
