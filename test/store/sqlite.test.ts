import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import { ParleyError } from '../../src/core/errors.js';
import { MIGRATIONS, migrate, openSqliteDatabase, openSqliteStore } from '../../src/store/sqlite/index.js';
import { mapSqliteError } from '../../src/store/sqlite/errors.js';
import type { Store } from '../../src/engine/ports/store.js';
import { storeContract } from './contract.js';
import { repliesContract } from './contract-replies.js';
import { reactionStoreContract } from './contract-reactions.js';
import { readStateContract } from './contract-read.js';
import { searchContract } from './contract-search.js';
import { dmStoreContract } from './contract-dms.js';
import { upgradeContract } from './contract-upgrade.js';
import { profileStoreContract } from './contract-profiles.js';
import { revocationContract } from './contract-revocation.js';
import { reportStoreContract } from './contract-reports.js';
import { strikeStoreContract } from './contract-strikes.js';
import { linkPreviewStoreContract } from './contract-linkPreviews.js';
import { attachmentStoreContract } from './contract-attachments.js';
import { webhookStoreContract } from './contract-webhooks.js';
import { eventOutboxContract } from './contract-eventOutbox.js';
import { dataProtectionContract } from './contract-data-protection.js';
import { botStoreContract } from './contract-bots.js';
import { expectVersion1GuestTombstoned, version1Rows } from './guestContract.js';

const T0 = 1_700_000_000_000;

async function freshDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'parley-store-'));
}

storeContract('sqlite :memory:', async () => openSqliteStore({ path: ':memory:' }));
repliesContract('sqlite :memory:', async () => openSqliteStore({ path: ':memory:' }));
reactionStoreContract('sqlite :memory:', async () => openSqliteStore({ path: ':memory:' }));
readStateContract('sqlite :memory:', async () => openSqliteStore({ path: ':memory:' }));
searchContract('sqlite :memory:', async () => openSqliteStore({ path: ':memory:' }));
dmStoreContract('sqlite :memory:', async () => openSqliteStore({ path: ':memory:' }));
upgradeContract('sqlite :memory:', async () => openSqliteStore({ path: ':memory:' }));
profileStoreContract('sqlite :memory:', async () => openSqliteStore({ path: ':memory:' }));
reportStoreContract('sqlite :memory:', async () => openSqliteStore({ path: ':memory:' }));
strikeStoreContract('sqlite :memory:', async () => openSqliteStore({ path: ':memory:' }));
linkPreviewStoreContract('sqlite :memory:', async () => openSqliteStore({ path: ':memory:' }));
attachmentStoreContract('sqlite :memory:', async () => openSqliteStore({ path: ':memory:' }));
webhookStoreContract('sqlite :memory:', async () => openSqliteStore({ path: ':memory:' }));
eventOutboxContract('sqlite :memory:', async () => openSqliteStore({ path: ':memory:' }));
dataProtectionContract('sqlite :memory:', async () => openSqliteStore({ path: ':memory:' }));
botStoreContract('sqlite :memory:', async () => openSqliteStore({ path: ':memory:' }));

// Each test gets its own file in its own directory; the directory goes when the test is done.
const dirs = new WeakMap<Store, string>();
storeContract(
  'sqlite file',
  async () => {
    const dir = await freshDir();
    const store = openSqliteStore({ path: join(dir, 'parley.db') });
    dirs.set(store, dir);
    return store;
  },
  async (store) => {
    await store.close();
    const dir = dirs.get(store);
    if (dir) await rm(dir, { recursive: true, force: true });
  },
);

// A second store on the same file stands for the node after a restart.
const peers = new WeakMap<Store, Store>();
revocationContract(
  'sqlite file',
  async () => {
    const dir = await freshDir();
    const store = openSqliteStore({ path: join(dir, 'parley.db') });
    dirs.set(store, dir);
    return store;
  },
  async (store) => {
    await peers.get(store)?.close();
    await store.close();
    const dir = dirs.get(store);
    if (dir) await rm(dir, { recursive: true, force: true });
  },
  async (store) => {
    const dir = dirs.get(store);
    if (!dir) throw new Error('no directory');
    const again = openSqliteStore({ path: join(dir, 'parley.db') });
    peers.set(store, again);
    return again;
  },
);

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('sqlite file store', () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    dir = await freshDir();
    path = join(dir, 'parley.db');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('[store.sqlite.persist] data survives close and reopen, and seqs continue where they stopped', async () => {
    const first = openSqliteStore({ path, synchronous: 'FULL' });
    const app = await first.directory.createApp('kept', DEFAULT_APP_SETTINGS, T0);
    const user = await first.directory.createUser(
      app.id,
      { username: 'Alice', role: 'admin', kind: 'account', passwordHash: 'h' },
      T0,
    );
    const room = await first.directory.createRoom(
      app.id,
      { name: 'lobby', visibility: 'public', createdBy: null },
      T0,
    );
    const base = {
      appId: app.id,
      roomId: room.id,
      kind: 'text' as const,
      authorId: user.id,
      html: '',
      createdAt: T0,
    };
    const m1 = await first.messages.append({ ...base, text: 'one', clientMsgId: 'c1' });
    await first.messages.append({ ...base, text: 'two', clientMsgId: null });
    await first.close();

    const second = openSqliteStore({ path });
    try {
      expect(await second.directory.getApp(app.id)).toEqual(app);
      expect(await second.directory.findUserByName(app.id, 'alice')).toEqual(user);
      expect(await second.directory.getPasswordHash(app.id, user.id)).toBe('h');
      expect(await second.directory.findRoomByName(app.id, 'LOBBY')).toEqual(room);
      expect((await second.messages.range(room.id, { limit: 10 })).map((m) => m.text)).toEqual([
        'one',
        'two',
      ]);
      expect(await second.messages.lastSeq(room.id)).toBe(2);
      expect(await second.messages.append({ ...base, text: 'retry', clientMsgId: 'c1' })).toEqual({
        message: m1.message,
        duplicate: true,
      });
      expect((await second.messages.append({ ...base, text: 'three', clientMsgId: null })).message.seq).toBe(
        3,
      );
    } finally {
      await second.close();
    }
  });

  it('[store.sqlite.migrations.idempotent] reopening applies nothing twice', async () => {
    for (let i = 0; i < 3; i++) await openSqliteStore({ path }).close();
    const db = new Database(path);
    try {
      const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
      expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
      expect(migrate(db)).toBe(0);
      expect(db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({
        n: MIGRATIONS.length,
      });
    } finally {
      db.close();
    }
  });

  it('[store.sqlite.migrations.order] migrations are numbered from 1 in increasing order', () => {
    // Versions are handed out per feature, so a list may skip numbers; it never goes back.
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions[0]).toBe(1);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    const first = MIGRATIONS[0];
    if (!first) throw new Error('no migrations');
    const db = new Database(':memory:');
    try {
      expect(caught(() => migrate(db, [first, { ...first, version: 0 }]))).toBeInstanceOf(Error);
      expect(
        db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all(),
      ).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('[store.sqlite.migrations.atomic] a failing migration leaves the database as it was', () => {
    const db = new Database(path);
    try {
      const broken = [
        ...MIGRATIONS,
        { version: (MIGRATIONS.at(-1)?.version ?? 0) + 1, name: 'broken', sql: 'CREATE TABLE x (' },
      ];
      expect(caught(() => migrate(db, broken))).toBeInstanceOf(Error);
      const tables = db
        .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .pluck()
        .all();
      expect(tables).toEqual([]);
      expect(migrate(db, MIGRATIONS)).toBe(MIGRATIONS.length);
    } finally {
      db.close();
    }
  });

  it('[store.sqlite.migrations.newer] a database migrated by a newer build is refused as unavailable', () => {
    const next = {
      version: Math.max(...MIGRATIONS.map((m) => m.version)) + 1,
      name: 'from the future',
      sql: 'CREATE TABLE future (x INTEGER)',
    };
    const db = new Database(path);
    migrate(db, [...MIGRATIONS, next]);
    db.close();
    const err = caught(() => openSqliteStore({ path }));
    expect(err).toBeInstanceOf(ParleyError);
    expect((err as ParleyError).code).toBe('unavailable');
  });

  it("[store.sqlite.migrations.v2] migration 2 copies authors' names onto older messages", async () => {
    const db = new Database(path);
    migrate(db, MIGRATIONS.slice(0, 1));
    db.exec(version1Rows());
    db.close();
    const store = openSqliteStore({ path });
    try {
      await expectVersion1GuestTombstoned(store);
    } finally {
      await store.close();
    }
  });

  it('[store.sqlite.pragmas] the connection runs in WAL with foreign keys, a busy timeout and the given sync mode', () => {
    const full = openSqliteDatabase({ path, synchronous: 'FULL' });
    try {
      expect(full.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(full.pragma('synchronous', { simple: true })).toBe(2);
      expect(full.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(full.pragma('busy_timeout', { simple: true })).toBe(5000);
    } finally {
      full.close();
    }
    const normal = openSqliteDatabase({ path });
    try {
      expect(normal.pragma('synchronous', { simple: true })).toBe(1);
    } finally {
      normal.close();
    }
    const memory = openSqliteDatabase({ path: ':memory:' });
    try {
      expect(memory.pragma('foreign_keys', { simple: true })).toBe(1);
    } finally {
      memory.close();
    }
  });

  it('[store.sqlite.unavailable] a path that cannot be opened is unavailable', () => {
    const err = caught(() => openSqliteStore({ path: join(dir, 'missing', 'dir', 'parley.db') }));
    expect(err).toBeInstanceOf(ParleyError);
    expect((err as ParleyError).code).toBe('unavailable');
  });

  it('[store.sqlite.shared-counter] two handles on one file interleave appends without gaps', async () => {
    const a = openSqliteStore({ path });
    const b = openSqliteStore({ path });
    try {
      const app = await a.directory.createApp('x', DEFAULT_APP_SETTINGS, T0);
      const room = await a.directory.createRoom(
        app.id,
        { name: 'r', visibility: 'public', createdBy: null },
        T0,
      );
      const input = {
        appId: app.id,
        roomId: room.id,
        kind: 'system' as const,
        authorId: null,
        text: '',
        html: '',
        clientMsgId: null,
        createdAt: T0,
      };
      const got = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? b : a).messages.append(input)),
      );
      // Each handle commits its appends as a batch, so the two interleave batch by batch: every seq once, and
      // each handle's in the order it was asked.
      const seqs = got.map((r) => r.message.seq);
      expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      const fromB = seqs.filter((_, i) => i % 3 === 0);
      const fromA = seqs.filter((_, i) => i % 3 !== 0);
      for (const mine of [fromA, fromB]) expect(mine).toEqual([...mine].sort((x, y) => x - y));
      expect(await b.messages.lastSeq(room.id)).toBe(20);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('sqlite error mapping', () => {
  const sqliteError = (code: string) => new Database.SqliteError(`driver says ${code}`, code);
  const codeOf = (err: unknown) => (err instanceof ParleyError ? err.code : null);

  it('[store.sqlite.errors] driver errors map to conflict, not_found and unavailable', () => {
    expect(codeOf(mapSqliteError(sqliteError('SQLITE_CONSTRAINT_UNIQUE')))).toBe('conflict');
    expect(codeOf(mapSqliteError(sqliteError('SQLITE_CONSTRAINT_PRIMARYKEY')))).toBe('conflict');
    expect(codeOf(mapSqliteError(sqliteError('SQLITE_CONSTRAINT_FOREIGNKEY')))).toBe('not_found');
    for (const code of [
      'SQLITE_BUSY',
      'SQLITE_BUSY_SNAPSHOT',
      'SQLITE_IOERR_WRITE',
      'SQLITE_CANTOPEN',
      'SQLITE_FULL',
      'SQLITE_LOCKED',
      'SQLITE_IOERR',
      'SQLITE_READONLY',
      'SQLITE_READONLY_DBMOVED',
    ]) {
      expect(codeOf(mapSqliteError(sqliteError(code)))).toBe('unavailable');
    }
    const mapped = mapSqliteError(sqliteError('SQLITE_BUSY'));
    expect(mapped instanceof ParleyError ? mapped.message : '').not.toContain('driver says');
    // Anything else is a bug and keeps its identity (and stack).
    const bug = sqliteError('SQLITE_ERROR');
    expect(mapSqliteError(bug)).toBe(bug);
    const plain = new TypeError('x');
    expect(mapSqliteError(plain)).toBe(plain);
  });
});
