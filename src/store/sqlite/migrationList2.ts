/** The SQLite schema's later migrations, after migrationList.ts (kept apart for the file size limit). */
import type { Migration } from '../migrations.js';
import { MIGRATIONS as EARLIER } from './migrationList.js';

const LATER: readonly Migration[] = [
  {
    version: 18,
    name: 'delivered webhook deliveries by age',
    // The prune of delivered deliveries (docs/webhooks.md, "Delivery log") takes the oldest first, a bounded
    // batch at a time: this partial index finds them without reading the rest of the outbox. The open rows have
    // their own (webhook_deliveries_open), on which a claim finds each queue's head.
    sql: `
      CREATE INDEX webhook_deliveries_delivered ON webhook_deliveries(delivered_at)
        WHERE status = 'delivered';
    `,
  },
];

/** Every migration, in order. */
export const MIGRATIONS: readonly Migration[] = [...EARLIER, ...LATER];
