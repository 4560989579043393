import Database from 'better-sqlite3';
import { ParleyError } from '../../core/errors.js';

/** Error code prefixes (extended codes included) that mean "the database cannot be used right now". */
const UNAVAILABLE = [
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_FULL',
  'SQLITE_READONLY',
];

function withCause(error: ParleyError, cause: unknown): ParleyError {
  // Keeps the driver's error for logs; ParleyError's message and details are what reach clients.
  error.cause = cause;
  return error;
}

/**
 * Translates driver errors into the catalogue the port promises: a taken name is `conflict`, a reference to a
 * row that does not exist is `not_found`, and a database that cannot be reached is `unavailable`. Anything else
 * is a bug and is returned unchanged so that its stack survives.
 */
export function mapSqliteError(err: unknown, conflictMessage?: string): unknown {
  if (err instanceof ParleyError) return err;
  if (!(err instanceof Database.SqliteError)) return err;
  const code = err.code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return withCause(new ParleyError('conflict', conflictMessage), err);
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return withCause(new ParleyError('not_found', 'a referenced app, user or room does not exist'), err);
  }
  if (UNAVAILABLE.some((prefix) => code === prefix || code.startsWith(`${prefix}_`))) {
    return withCause(new ParleyError('unavailable', 'the database is unavailable'), err);
  }
  return err;
}

/**
 * Runs one store operation against `db`, with driver errors mapped. A closed handle is `unavailable` (the
 * driver would otherwise throw a TypeError that reads like a bug).
 */
export function guard<T>(db: Database.Database, fn: () => T, conflictMessage?: string): T {
  if (!db.open) throw new ParleyError('unavailable', 'the database is closed');
  try {
    return fn();
  } catch (err) {
    throw mapSqliteError(err, conflictMessage);
  }
}
