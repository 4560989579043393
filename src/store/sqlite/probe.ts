import type Database from 'better-sqlite3';
import { guard } from './errors.js';

/**
 * The probe waits this long for another writer's lock, not the connection's usual 5 s: the probe runs on the
 * event loop, and while storage is down it runs again and again.
 */
export const PROBE_BUSY_MS = 100;

/**
 * Commits a transaction that writes the database header's user_version back unchanged: a real commit (a WAL
 * frame is written and synced), so a full disk, a read-only file or a lock held by another process fail it,
 * while the schema and the data stay as they were. Throws `unavailable` when it cannot commit.
 */
export function probeWrite(db: Database.Database): void {
  guard(db, () => {
    const usual = Number(db.pragma('busy_timeout', { simple: true }));
    db.pragma(`busy_timeout = ${PROBE_BUSY_MS}`);
    try {
      db.transaction(() => {
        const version = Number(db.pragma('user_version', { simple: true }));
        db.pragma(`user_version = ${version}`);
      }).immediate();
    } finally {
      db.pragma(`busy_timeout = ${usual}`);
    }
  });
}
