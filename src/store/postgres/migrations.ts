import pg from 'pg';
import { checkOrder, refuseUnknownVersions } from '../migrations.js';
import type { Migration } from '../migrations.js';
import { sql, unnamed, type Db } from './db.js';
import { MIGRATIONS } from './migrationList2.js';

export type { Migration };
export { MIGRATIONS } from './migrationList2.js';

/**
 * The first key of the two-key advisory lock that migrations take ('Parl'); the second is the schema's name,
 * hashed, so that stores in different schemas of one database do not wait for each other.
 */
export const MIGRATION_LOCK_KEY = 0x5061726c;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Schema names are identifiers, which cannot be parameters: only plain lower-case names are accepted. */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`invalid schema name ${JSON.stringify(schema)}: use 1-63 of a-z, 0-9 and _`);
  }
  return schema;
}

const q = {
  // Migrations may take longer than the store's statement timeout, and so may waiting for another node's.
  noTimeout: sql('migrate.no-timeout', "SELECT set_config('statement_timeout', '0', true)"),
  lock: sql(
    'migrate.lock',
    "SELECT pg_advisory_xact_lock($1::int, hashtext(coalesce($2::text, current_schema(), '')))",
  ),
  currentSchema: sql('migrate.current-schema', 'SELECT current_schema() AS schema'),
  createTracking: unnamed(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       version INTEGER PRIMARY KEY,
       name TEXT NOT NULL,
       applied_at BIGINT NOT NULL
     )`,
  ),
  applied: sql('migrate.applied', 'SELECT version FROM schema_migrations'),
  record: sql(
    'migrate.record',
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
  ),
};

/**
 * Brings the database (the `schema`, created if missing, or the connection's current schema) up to the newest
 * migration and returns how many were applied. All of them commit together or not at all.
 *
 * Several nodes may start at once: each takes `pg_advisory_xact_lock` first, inside the transaction, so one
 * migrates while the others wait, and they then find the work done. The lock is released by COMMIT or
 * ROLLBACK, and by the server if the node dies. A database migrated by a newer build (a version this build does
 * not know) is refused with `unavailable` rather than written to.
 */
export async function migrate(
  db: Db,
  opts: { schema?: string; migrations?: readonly Migration[]; now?: number } = {},
): Promise<number> {
  const migrations = opts.migrations ?? MIGRATIONS;
  const now = opts.now ?? Date.now();
  const schema = opts.schema === undefined ? null : checkSchemaName(opts.schema);
  checkOrder(migrations);
  return db.transaction(async (tx) => {
    await tx.query(q.noTimeout, []);
    await tx.query(q.lock, [MIGRATION_LOCK_KEY, schema]);
    if (schema !== null) {
      // Under the lock: CREATE SCHEMA IF NOT EXISTS alone can still fail when two sessions run it at once.
      // The name was checked above and is quoted; identifiers cannot be passed as parameters.
      await tx.query(unnamed(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`), []);
      const [row] = await tx.query<{ schema: string | null }>(q.currentSchema, []);
      if (row?.schema !== schema) {
        throw new Error(
          `the connection uses schema ${String(row?.schema)}, not ${schema}: does the connection string set search_path?`,
        );
      }
    }
    await tx.query(q.createTracking, []);
    const applied = new Set((await tx.query<{ version: number }>(q.applied, [])).map((r) => r.version));
    refuseUnknownVersions(applied, migrations);
    let count = 0;
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await tx.query(unnamed(migration.sql), []);
      await tx.query(q.record, [migration.version, migration.name, now]);
      count++;
    }
    return count;
  });
}
