/** The PostgreSQL schema's later migrations, after migrationList.ts (kept apart for the file size limit). */
import type { Migration } from '../migrations.js';
import { APPEND_BATCH_FUNCTION } from './appendBatchSql.js';
import { MIGRATIONS as EARLIER } from './migrationList.js';

const LATER: readonly Migration[] = [
  {
    version: 18,
    name: 'delivered webhook deliveries by age',
    // As in the SQLite store: the prune takes the oldest delivered rows a bounded batch at a time.
    sql: `
      CREATE INDEX webhook_deliveries_delivered ON webhook_deliveries(delivered_at)
        WHERE status = 'delivered';
    `,
  },
  {
    version: 19,
    name: 'batched message appends',
    // PostgreSQL only: the stored function behind group commit of appends (appendBatchSql.ts).
    sql: APPEND_BATCH_FUNCTION,
  },
];

/** Every migration, in order. */
export const MIGRATIONS: readonly Migration[] = [...EARLIER, ...LATER];
