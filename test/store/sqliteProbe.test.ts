/**
 * The SQLite write probe (src/store/sqlite/probe.ts): a real commit that changes nothing, refused with
 * `unavailable` while another connection holds the write lock, and cheap to wait for (100 ms, not 5 s).
 */
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../../src/store/sqlite/index.js';
import { probeWrite } from '../../src/store/sqlite/probe.js';
import { makeTempDir } from '../helpers/server.js';

describe('issue 10 storage: the SQLite write probe', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('issue 10 storage: commits without changing the schema version, and is refused while the lock is held elsewhere', async () => {
    const dir = await makeTempDir();
    dirs.push(dir);
    const path = join(dir, 'probe.db');
    const db = openSqliteDatabase({ path });
    const other = new Database(path);
    try {
      const version = db.pragma('user_version', { simple: true });
      db.pragma('wal_checkpoint(TRUNCATE)');
      expect(statSync(`${path}-wal`).size).toBe(0);
      probeWrite(db);
      expect(statSync(`${path}-wal`).size, 'the probe committed a WAL frame').toBeGreaterThan(0);
      expect(db.pragma('user_version', { simple: true })).toBe(version);

      other.exec('BEGIN EXCLUSIVE');
      let refused: unknown = null;
      try {
        probeWrite(db);
      } catch (err) {
        refused = err;
      }
      expect(refused).toMatchObject({ code: 'unavailable' });
      expect(Number(db.pragma('busy_timeout', { simple: true })), 'the usual busy timeout is back').toBe(
        5000,
      );
      other.exec('COMMIT');
      expect(() => probeWrite(db)).not.toThrow();
    } finally {
      other.close();
      db.close();
    }
  });
});
