/**
 * The search index itself, per store: migration 7 fills it in for the messages written before it, the index
 * stays exact through appends, edits, deletes and room removal, and searches are served by the index (FTS5
 * MATCH, the GIN index on search_vector), never by a scan of the text.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import type { SearchRequest } from '../../src/engine/ports/searchStore.js';
import type { Store } from '../../src/engine/ports/store.js';
import {
  Db,
  MIGRATIONS as PG_MIGRATIONS,
  migrate as pgMigrate,
  poolConfig,
} from '../../src/store/postgres/index.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { TYPES } from '../../src/store/postgres/db.js';
import { searchStatement, tsQuery } from '../../src/store/postgres/search.js';
import { MIGRATIONS, migrate, openSqliteStore } from '../../src/store/sqlite/index.js';
import { ftsQuery, SEARCH_SQL } from '../../src/store/sqlite/search.js';

const SEARCH_VERSION = 7;

/** An app, a public room and two messages (one deleted), written as rows before the search migration. */
function oldRows(table: (name: string) => string = (name) => name): string {
  return `
    INSERT INTO ${table('apps')} (name, settings, created_at) VALUES ('a', '{}', 1);
    INSERT INTO ${table('rooms')} (app_id, name, name_key, visibility, created_at, last_seq)
      VALUES (1, 'r', 'r', 'public', 1, 2);
    INSERT INTO ${table('messages')} (app_id, room_id, seq, kind, author_id, text, html, created_at)
      VALUES (1, 1, 1, 'system', NULL, 'written before search existed', '', 1);
    INSERT INTO ${table('messages')} (app_id, room_id, seq, kind, author_id, text, html, created_at, deleted_at)
      VALUES (1, 1, 2, 'system', NULL, '', '', 1, 2);`;
}

function request(words: string[]): SearchRequest {
  return { appId: 1, words, prefix: false, viewer: null, limit: 10 };
}

async function expectBackfilled(store: Store): Promise<void> {
  const rows = await store.search.search(request(['before', 'search']));
  expect(rows.map((r) => [r.message.seq, r.roomName])).toEqual([[1, 'r']]);
}

describe('search index: sqlite', () => {
  it('[store.search.sqlite.backfill] migration 7 indexes the messages already stored', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-search-'));
    try {
      const path = join(dir, 'parley.db');
      const db = new Database(path);
      migrate(
        db,
        MIGRATIONS.filter((m) => m.version < SEARCH_VERSION),
      );
      db.exec(oldRows());
      db.close();
      const store = openSqliteStore({ path });
      try {
        await expectBackfilled(store);
      } finally {
        await store.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('[store.search.sqlite.exact] the external-content index matches the table after edits, deletes and room removal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-search-'));
    const path = join(dir, 'parley.db');
    const store = openSqliteStore({ path });
    try {
      const app = await store.directory.createApp('x', DEFAULT_APP_SETTINGS, 1);
      const keep = await store.directory.createRoom(
        app.id,
        { name: 'keep', visibility: 'public', createdBy: null },
        1,
      );
      const drop = await store.directory.createRoom(
        app.id,
        { name: 'drop', visibility: 'public', createdBy: null },
        1,
      );
      const base = {
        appId: app.id,
        kind: 'system' as const,
        authorId: null,
        html: '',
        clientMsgId: null,
        createdAt: 1,
      };
      const ids: number[] = [];
      for (let i = 0; i < 20; i++) {
        const room = i % 3 === 0 ? drop : keep;
        ids.push(
          (await store.messages.append({ ...base, roomId: room.id, text: `word${i % 4} shared ${i}` }))
            .message.id,
        );
      }
      for (const [i, id] of ids.entries()) {
        const room = i % 3 === 0 ? drop : keep;
        if (i % 5 === 0) await store.messages.remove(room.id, id, 2);
        else if (i % 2 === 0) await store.messages.edit(room.id, id, `edited ${i}`, '', 2);
      }
      await store.directory.deleteRoom(app.id, drop.id);
      const db = new Database(path);
      try {
        // FTS5's own check of an external-content index against its table (rank 1: compare with the content).
        expect(() =>
          db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run(),
        ).not.toThrow();
        const plan = db
          .prepare<Record<string, unknown>, { detail: string }>(`EXPLAIN QUERY PLAN ${SEARCH_SQL}`)
          .all({
            match: ftsQuery(['shared'], true),
            before: 1e15,
            appId: 1,
            roomId: null,
            everyRoom: 1,
            userId: 0,
            limit: 20,
          })
          .map((row) => row.detail);
        // The index drives the query (a virtual-table MATCH), the messages are looked up by primary key.
        expect(plan[0]).toMatch(/^SCAN messages_fts VIRTUAL TABLE INDEX/);
        expect(plan.join('\n')).not.toMatch(/SCAN m\b/);
      } finally {
        db.close();
      }
      const found = await store.search.search({ ...request(['shared']), appId: app.id, limit: 50 });
      const expected = ids.filter((_, i) => i % 3 !== 0 && i % 5 !== 0 && i % 2 !== 0).reverse();
      expect(found.map((r) => r.message.id)).toEqual(expected);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const DATABASE_URL = process.env.PARLEY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const pgUp = await reachable();
if (!pgUp && process.env.CI) throw new Error(`PostgreSQL is not reachable for the search index tests`);

describe.skipIf(!pgUp)('search index: postgres', () => {
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2, types: TYPES });
  const schemas: string[] = [];
  const stores: Store[] = [];

  function newSchema(): string {
    const schema = `parley_test_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    return schema;
  }

  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    for (const schema of schemas)
      await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await admin.end();
  });

  async function open(schema: string): Promise<Store> {
    const store = await openPostgresStore({ connectionString: DATABASE_URL, schema, max: 2 });
    stores.push(store);
    return store;
  }

  it('[store.search.pg.backfill] migration 7 fills search_vector for the messages already stored', async () => {
    const schema = newSchema();
    const db = new Db(new pg.Pool(poolConfig({ connectionString: DATABASE_URL, schema, max: 1 })));
    try {
      await pgMigrate(db, { schema, migrations: PG_MIGRATIONS.filter((m) => m.version < SEARCH_VERSION) });
    } finally {
      await db.close();
    }
    await admin.query(oldRows((t) => `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(t)}`));
    await expectBackfilled(await open(schema));
  });

  it('[store.search.pg.gin] a search for a rare word is served by the GIN index', async () => {
    const schema = newSchema();
    await open(schema);
    const t = (name: string) => `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(name)}`;
    await admin.query(`
      INSERT INTO ${t('apps')} (name, settings, created_at) VALUES ('a', '{}', 1);
      INSERT INTO ${t('rooms')} (app_id, name, name_key, visibility, created_at, last_seq)
        VALUES (1, 'r', 'r', 'public', 1, 5000);
      INSERT INTO ${t('messages')} (app_id, room_id, seq, kind, author_id, text, html, created_at)
        SELECT 1, 1, n, 'system', NULL, 'common words number ' || n || CASE WHEN n % 1000 = 0 THEN ' rare' ELSE '' END, '', 1
        FROM generate_series(1, 5000) AS n;
      ANALYZE ${t('messages')};`);
    const client = await admin.connect();
    try {
      await client.query(`SET search_path = ${pg.escapeIdentifier(schema)}`);
      // On so small a table a sequential scan is cheaper and the planner rightly takes it; with it ruled out,
      // the plan shows that the query's condition is one the GIN index serves (and not, say, the primary key
      // walked with a filter).
      await client.query('SET enable_seqscan = off');
      const params = [tsQuery(['rare'], false), 1, Number.MAX_SAFE_INTEGER, null, true, 0, 20];
      const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${searchStatement.text}`, params);
      const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(text).toMatch(/Bitmap Index Scan on messages_search/);
      const found = await client.query<{ seq: number }>(searchStatement.text, params);
      expect(found.rows.map((r) => r.seq)).toEqual([5000, 4000, 3000, 2000, 1000]);
    } finally {
      await client.query('RESET search_path');
      await client.query('RESET enable_seqscan');
      client.release();
    }
  });
});
