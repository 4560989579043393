/**
 * The schema as an ordered list of migrations, the same way for both stores. A database records the versions
 * it has applied in `schema_migrations`; opening a store applies the missing ones, in order, in one
 * transaction. Never edit a migration that has shipped: add the next version instead.
 */
import { ParleyError } from '../core/errors.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** A list that is out of order would apply migrations in the wrong order on a fresh database. */
export function checkOrder(migrations: readonly Migration[]): void {
  for (let i = 1; i < migrations.length; i++) {
    const prev = migrations[i - 1];
    const cur = migrations[i];
    if (prev && cur && cur.version <= prev.version) {
      throw new Error(`migration ${cur.version} is not after ${prev.version}`);
    }
  }
}

/** A database migrated by a newer build (a version this build does not know) is refused rather than written to. */
export function refuseUnknownVersions(applied: ReadonlySet<number>, migrations: readonly Migration[]): void {
  const known = new Set(migrations.map((m) => m.version));
  const unknown = [...applied].filter((v) => !known.has(v));
  if (unknown.length > 0) {
    throw new ParleyError(
      'unavailable',
      `the database has schema version ${Math.max(...unknown)}, newer than this build knows`,
    );
  }
}
