import type Database from 'better-sqlite3';
import { checkOrder, refuseUnknownVersions } from '../migrations.js';
import type { Migration } from '../migrations.js';
import { MIGRATIONS } from './migrationList2.js';

export type { Migration };
export { MIGRATIONS } from './migrationList2.js';

const CREATE_TRACKING = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT
`;

/**
 * Brings the database up to the newest migration and returns how many were applied. All of them commit together
 * or not at all; the transaction is IMMEDIATE so that two processes opening the same file do not both migrate.
 * A database migrated by a newer build (a version this build does not know) is refused rather than written to.
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
  now: number = Date.now(),
): number {
  checkOrder(migrations);
  const apply = db.transaction((): number => {
    db.exec(CREATE_TRACKING);
    const applied = new Set(db.prepare<[], number>('SELECT version FROM schema_migrations').pluck().all());
    refuseUnknownVersions(applied, migrations);
    const record = db.prepare<[number, string, number]>(
      'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    );
    let count = 0;
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, now);
      count++;
    }
    return count;
  });
  return apply.immediate();
}
