import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import { ParleyError, type ErrorCode } from '../../src/core/errors.js';
import type { App, Room, User } from '../../src/core/types.js';
import { TYPES } from '../../src/store/postgres/db.js';
import {
  Db,
  MIGRATIONS,
  mapPgError,
  migrate,
  openPostgresStore,
  poolConfig,
  type PostgresOptions,
} from '../../src/store/postgres/index.js';
import type { NewMessage, Store } from '../../src/engine/ports/store.js';
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

const DATABASE_URL = process.env.PARLEY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const T0 = 1_700_000_000_000;

/** The URL as it may be printed: without its password. */
function shown(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable connection string)';
  }
}

/** Null when the server answers, otherwise why not. */
async function whyUnreachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return err instanceof Error ? err.message || err.name : String(err);
  } finally {
    await client.end().catch(() => {});
  }
}

const unreachable = await whyUnreachable(DATABASE_URL);
if (unreachable !== null) {
  const message =
    `PostgreSQL is not reachable at ${shown(DATABASE_URL)} (${unreachable}). ` +
    'Start it, or point PARLEY_TEST_DATABASE_URL at one.';
  // In CI the suite must run: .ci/run starts PostgreSQL before the tests.
  if (process.env.CI) throw new Error(message);
  console.warn(`[test/store/postgres] skipped: ${message} (With CI set, this is a failure.)`);
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers shared by the suites below. Every store lives in a schema of its own (random name) in the shared
// database, dropped when its test is done.

let admin: pg.Pool | null = null;
const created = new Set<string>();

function adminPool(): pg.Pool {
  admin ??= new pg.Pool({ connectionString: DATABASE_URL, max: 3, types: TYPES });
  return admin;
}

function newSchemaName(): string {
  const schema = `parley_test_${randomBytes(6).toString('hex')}`;
  created.add(schema);
  return schema;
}

/** Test-only DDL on a name from newSchemaName (an identifier cannot be a parameter). */
async function dropSchema(schema: string): Promise<void> {
  await adminPool().query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  created.delete(schema);
}

/** `table` inside `schema`, quoted, for the admin connection (which has no search_path of ours). */
function qualified(schema: string, table: string): string {
  return `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`;
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<ParleyError> {
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  expect(outcome.ok, `expected a ${code} error`).toBe(false);
  if (outcome.ok) throw new Error('unreachable');
  expect(outcome.error).toBeInstanceOf(ParleyError);
  expect((outcome.error as ParleyError).code).toBe(code);
  return outcome.error as ParleyError;
}

/** A port on 127.0.0.1 with nothing listening on it (it was free a moment ago). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function urlWithPort(url: string, host: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = host;
  parsed.port = String(port);
  return parsed.toString();
}

/**
 * A TCP proxy in front of the database, on its own port of 127.0.0.1, whose connections can be cut at once
 * (what a node sees when the database or the network goes away) and which can come back on the same port.
 */
class CuttableProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(targetUrl: string): Promise<CuttableProxy> {
    const parsed = new URL(targetUrl);
    const proxy = new CuttableProxy(await freePort(), {
      host: parsed.hostname || '127.0.0.1',
      port: Number(parsed.port || 5432),
    });
    await proxy.listen();
    return proxy;
  }

  async listen(): Promise<void> {
    const server = net.createServer((downstream) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const socket of [downstream, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          downstream.destroy();
          upstream.destroy();
        });
      }
      downstream.pipe(upstream);
      upstream.pipe(downstream);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  /** Stops accepting and resets every open connection. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.resetAndDestroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  url(base: string): string {
    return urlWithPort(base, '127.0.0.1', this.port);
  }
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` holds (or fails the test after `ms`). */
async function until(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * A transaction on its own connection that holds one room's row lock, as an append on another node would:
 * every append to that room waits until release().
 */
async function lockRoom(schema: string, roomId: number) {
  const client = await adminPool().connect();
  await client.query('BEGIN');
  await client.query(`SELECT id FROM ${qualified(schema, 'rooms')} WHERE id = $1 FOR UPDATE`, [roomId]);
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
  return {
    /**
     * How many other sessions wait for this one, directly or behind another waiter (the second writer of a
     * row queues behind the first, not behind the holder).
     */
    async waiters(): Promise<number> {
      const { rows } = await adminPool().query<{ n: number }>(
        `WITH RECURSIVE waiting(pid) AS (
           SELECT pid FROM pg_stat_activity WHERE $1::int = ANY(pg_blocking_pids(pid))
           UNION
           SELECT a.pid FROM pg_stat_activity a JOIN waiting w ON w.pid = ANY(pg_blocking_pids(a.pid))
         )
         SELECT count(*) AS n FROM waiting`,
        [pid],
      );
      return rows[0]?.n ?? 0;
    },
    async release(): Promise<void> {
      try {
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    },
  };
}

const seqsUpTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const ascending = (xs: number[]) => [...xs].sort((a, b) => a - b);

// ---------------------------------------------------------------------------------------------------------------

describe.skipIf(unreachable !== null)('postgres store', () => {
  const open = new Set<Store>();
  const schemaOf = new WeakMap<Store, string>();

  /** A store in a fresh schema of its own, or in `schema` when given (another node on the same data). */
  async function openStore(options: Partial<PostgresOptions> = {}): Promise<Store> {
    const schema = options.schema ?? newSchemaName();
    const store = await openPostgresStore({ connectionString: DATABASE_URL, max: 5, ...options, schema });
    open.add(store);
    schemaOf.set(store, schema);
    return store;
  }

  async function closeAll(): Promise<void> {
    const stores = [...open];
    open.clear();
    await Promise.all(stores.map((s) => s.close()));
    await Promise.all([...created].map(dropSchema));
  }

  afterAll(async () => {
    await closeAll();
    await admin?.end();
    admin = null;
  });

  storeContract('postgres', () => openStore(), closeAll);
  repliesContract('postgres', () => openStore(), closeAll);
  reactionStoreContract('postgres', () => openStore(), closeAll);
  readStateContract('postgres', () => openStore(), closeAll);
  searchContract('postgres', () => openStore(), closeAll);
  upgradeContract('postgres', () => openStore(), closeAll);
  profileStoreContract('postgres', () => openStore(), closeAll);
  revocationContract(
    'postgres',
    () => openStore(),
    closeAll,
    (s) => openStore({ schema: schemaOf.get(s) }),
  );
  reportStoreContract('postgres', () => openStore(), closeAll);
  strikeStoreContract('postgres', () => openStore(), closeAll);
  linkPreviewStoreContract('postgres', () => openStore(), closeAll);
  attachmentStoreContract('postgres', () => openStore(), closeAll);
  webhookStoreContract('postgres', () => openStore(), closeAll);
  eventOutboxContract('postgres', () => openStore(), closeAll);
  dataProtectionContract('postgres', () => openStore(), closeAll);
  botStoreContract('postgres', () => openStore(), closeAll);
  dmStoreContract(
    'postgres',
    () => openStore(),
    closeAll,
    (s) => openStore({ schema: schemaOf.get(s) }),
  );

  describe('postgres: several nodes on one database', () => {
    afterEach(closeAll);

    async function setup(nodeCount: number) {
      const schema = newSchemaName();
      // The nodes start at once on an empty schema: migrations must not race.
      const nodes = await Promise.all(
        Array.from({ length: nodeCount }, () => openStore({ schema, max: 10 })),
      );
      const first = nodes[0] as Store;
      const app = await first.directory.createApp('cluster', DEFAULT_APP_SETTINGS, T0);
      const user = await first.directory.createUser(
        app.id,
        { username: 'alice', role: 'member', kind: 'account', passwordHash: null },
        T0,
      );
      const room = await first.directory.createRoom(
        app.id,
        { name: 'lobby', visibility: 'public', createdBy: null },
        T0,
      );
      return { schema, nodes, app, user, room };
    }

    function msg(app: App, room: Room, user: User | null, text: string, clientMsgId: string | null = null) {
      return {
        appId: app.id,
        roomId: room.id,
        kind: user ? 'text' : 'system',
        authorId: user ? user.id : null,
        text,
        html: text,
        clientMsgId,
        createdAt: T0,
      } satisfies NewMessage;
    }

    it('[store.pg.seq.multi-node] 3 pools × 100 concurrent appends to one room give exactly seqs 1..300', async () => {
      const { nodes, app, user, room } = await setup(3);
      const started = performance.now();
      const results = await Promise.all(
        nodes.flatMap((node, n) =>
          Array.from({ length: 100 }, (_, i) =>
            node.messages.append(msg(app, room, i % 5 === 0 ? null : user, `n${n}-${i}`, `n${n}-${i}`)),
          ),
        ),
      );
      const elapsed = performance.now() - started;
      console.log(`[store.pg.seq.multi-node] 300 appends from 3 pools took ${elapsed.toFixed(0)} ms`);

      expect(results.every((r) => !r.duplicate)).toBe(true);
      expect(ascending(results.map((r) => r.message.seq))).toEqual(seqsUpTo(300));
      expect(new Set(results.map((r) => r.message.id)).size).toBe(300);
      for (const node of nodes) {
        expect(await node.messages.lastSeq(room.id)).toBe(300);
        const stored = await node.messages.range(room.id, { afterSeq: 0, limit: 1000 });
        expect(stored.map((m) => m.seq)).toEqual(seqsUpTo(300));
      }
      // Each message is stored as its append reported it.
      const byId = new Map(
        (await (nodes[1] as Store).messages.range(room.id, { limit: 1000 })).map((m) => [m.id, m] as const),
      );
      for (const r of results) expect(byId.get(r.message.id)).toEqual(r.message);
    });

    it('[store.pg.seq.room-lock] a writer of one room waits for another; other rooms do not wait', async () => {
      const { schema, nodes, app, user, room } = await setup(2);
      const [a, b] = nodes as [Store, Store];
      const other = await a.directory.createRoom(
        app.id,
        { name: 'other', visibility: 'public', createdBy: null },
        T0,
      );
      const lock = await lockRoom(schema, room.id);
      let settled = false;
      const waiting = a.messages.append(msg(app, room, user, 'waits')).finally(() => {
        settled = true;
      });
      waiting.catch(() => {});
      try {
        await until(async () => (await lock.waiters()) === 1, 'the append to wait for the room lock');
        // Another room, from another node, goes through while the first room is locked.
        expect((await b.messages.append(msg(app, other, user, 'free'))).message.seq).toBe(1);
        expect(settled).toBe(false);
      } finally {
        await lock.release();
      }
      expect((await waiting).message.seq).toBe(1);
    });

    it('[store.pg.dedup.race] the same clientMsgId raced from two pools stores one message and uses one seq', async () => {
      const { schema, nodes, app, user, room } = await setup(2);
      const [a, b] = nodes as [Store, Store];
      // Hold the room so that both appends pass their dedup check (nothing stored yet) and then queue on the room
      // row: the second to get it must meet the first's row in the unique index, roll back and return it.
      const lock = await lockRoom(schema, room.id);
      let pending: Promise<unknown>[] = [];
      try {
        pending = [
          a.messages.append(msg(app, room, user, 'from a', 'same')),
          b.messages.append(msg(app, room, user, 'from b', 'same')),
        ];
        // Handled here so that a failure below is reported as the test's, not as an unhandled rejection.
        for (const p of pending) p.catch(() => {});
        await until(async () => (await lock.waiters()) === 2, 'both appends to wait for the room lock');
      } finally {
        await lock.release();
      }
      const [ra, rb] = (await Promise.all(pending)) as Awaited<ReturnType<Store['messages']['append']>>[];
      if (!ra || !rb) throw new Error('setup');
      expect([ra.duplicate, rb.duplicate].sort()).toEqual([false, true]);
      expect(ra.message).toEqual(rb.message);
      expect(ra.message.seq).toBe(1);
      expect(await a.messages.lastSeq(room.id)).toBe(1);
      expect((await b.messages.range(room.id, { limit: 10 })).map((m) => m.text)).toEqual([ra.message.text]);
      // The loser gave its seq back: the next message is 2.
      expect((await b.messages.append(msg(app, room, user, 'next'))).message.seq).toBe(2);

      // And without the lock's help: many rounds of the same race, each leaves exactly one message.
      const rounds = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          Promise.all([
            a.messages.append(msg(app, room, user, `a${i}`, `r${i}`)),
            b.messages.append(msg(app, room, user, `b${i}`, `r${i}`)),
          ]),
        ),
      );
      for (const [x, y] of rounds) {
        expect([x.duplicate, y.duplicate].sort()).toEqual([false, true]);
        expect(x.message).toEqual(y.message);
      }
      const stored = await a.messages.range(room.id, { afterSeq: 0, limit: 1000 });
      expect(stored.map((m) => m.seq)).toEqual(seqsUpTo(42));
      expect(new Set(stored.map((m) => m.clientMsgId)).size).toBe(42);
    });
  });

  describe('postgres: migrations', () => {
    afterEach(closeAll);

    /** A Db with the store's own pool settings (search_path included), for calling migrate() directly. */
    function rawDb(schema: string): Db {
      return new Db(new pg.Pool(poolConfig({ connectionString: DATABASE_URL, schema, max: 2 })));
    }

    async function tablesIn(schema: string): Promise<string[]> {
      const { rows } = await adminPool().query<{ name: string }>(
        'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
        [schema],
      );
      return rows.map((r) => r.name);
    }

    async function recorded(schema: string) {
      const { rows } = await adminPool().query<{ version: number; name: string }>(
        `SELECT version, name FROM ${qualified(schema, 'schema_migrations')} ORDER BY version`,
      );
      return rows;
    }

    it('[store.pg.migrations.idempotent] reopening applies nothing twice', async () => {
      const schema = newSchemaName();
      for (let i = 0; i < 3; i++) await (await openStore({ schema })).close();
      expect(await recorded(schema)).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
      const db = rawDb(schema);
      try {
        expect(await migrate(db, { schema })).toBe(0);
      } finally {
        await db.close();
      }
      expect(await recorded(schema)).toHaveLength(MIGRATIONS.length);
    });

    it("[store.pg.migrations.v2] migration 2 copies authors' names onto older messages", async () => {
      const schema = newSchemaName();
      const db = rawDb(schema);
      try {
        await migrate(db, { schema, migrations: MIGRATIONS.slice(0, 1) });
      } finally {
        await db.close();
      }
      await adminPool().query(version1Rows((table) => qualified(schema, table)));
      await expectVersion1GuestTombstoned(await openStore({ schema }));
    });

    it('[store.pg.migrations.concurrent] stores opened at once on an empty schema migrate it once, safely', async () => {
      const schema = newSchemaName();
      const stores = await Promise.all(Array.from({ length: 4 }, () => openStore({ schema })));
      expect(await recorded(schema)).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
      expect(await tablesIn(schema)).toContain('messages');
      // All four work on the same data.
      const app = await (stores[0] as Store).directory.createApp('x', DEFAULT_APP_SETTINGS, T0);
      for (const store of stores) expect(await store.directory.getApp(app.id)).toEqual(app);
    });

    it('[store.pg.migrations.atomic] a failing migration leaves the database as it was', async () => {
      const schema = newSchemaName();
      const broken = [
        ...MIGRATIONS,
        { version: (MIGRATIONS.at(-1)?.version ?? 0) + 1, name: 'broken', sql: 'CREATE TABLE x (' },
      ];
      const db = rawDb(schema);
      try {
        await expect(migrate(db, { schema, migrations: broken })).rejects.toBeInstanceOf(Error);
        // Even the schema was created in the failed transaction, so it is gone too.
        expect(await tablesIn(schema)).toEqual([]);
        expect(await migrate(db, { schema })).toBe(MIGRATIONS.length);
      } finally {
        await db.close();
      }
    });

    it('[store.pg.migrations.order] a list out of order is refused before anything runs', async () => {
      const schema = newSchemaName();
      const first = MIGRATIONS[0];
      if (!first) throw new Error('no migrations');
      const db = rawDb(schema);
      try {
        await expect(migrate(db, { schema, migrations: [first, { ...first, version: 0 }] })).rejects.toThrow(
          /not after/,
        );
        expect(await tablesIn(schema)).toEqual([]);
      } finally {
        await db.close();
      }
    });

    it('[store.pg.migrations.newer] a database migrated by a newer build is refused as unavailable', async () => {
      const schema = newSchemaName();
      const next = {
        version: Math.max(...MIGRATIONS.map((m) => m.version)) + 1,
        name: 'from the future',
        sql: 'CREATE TABLE future (x INT)',
      };
      const db = rawDb(schema);
      try {
        await migrate(db, { schema, migrations: [...MIGRATIONS, next] });
      } finally {
        await db.close();
      }
      await expectCode(openStore({ schema }), 'unavailable');
    });

    it('[store.pg.schema] stores in different schemas do not see each other; schema names are checked', async () => {
      const a = await openStore();
      const b = await openStore();
      const app = await a.directory.createApp('only-in-a', DEFAULT_APP_SETTINGS, T0);
      expect(await b.directory.listApps()).toEqual([]);
      expect(await a.directory.getApp(app.id)).toEqual(app);
      expect(await tablesIn(schemaOf.get(a) ?? '')).toContain('apps');
      expect(() => poolConfig({ connectionString: DATABASE_URL, schema: 'x; DROP TABLE apps' })).toThrow(
        /invalid schema name/,
      );
      expect(() => poolConfig({ connectionString: DATABASE_URL, schema: 'Upper' })).toThrow(
        /invalid schema name/,
      );
    });
  });

  describe('postgres: an unreachable database', () => {
    afterEach(closeAll);

    it('[store.pg.unavailable.refused] nothing listening on the port: open fails fast with unavailable', async () => {
      const port = await freePort();
      const started = performance.now();
      await expectCode(
        openPostgresStore({
          connectionString: urlWithPort(DATABASE_URL, '127.0.0.1', port),
          connectionTimeoutMs: 1000,
        }),
        'unavailable',
      );
      expect(performance.now() - started).toBeLessThan(3000);
    });

    it('[store.pg.unavailable.silent] a server that accepts but never answers: unavailable after the connect timeout', async () => {
      const silent = net.createServer(() => {});
      const sockets = new Set<net.Socket>();
      silent.on('connection', (s) => {
        sockets.add(s);
        s.on('error', () => {});
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const address = silent.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      try {
        const started = performance.now();
        await expectCode(
          openPostgresStore({
            connectionString: urlWithPort(DATABASE_URL, '127.0.0.1', address.port),
            connectionTimeoutMs: 300,
          }),
          'unavailable',
        );
        expect(performance.now() - started).toBeLessThan(3000);
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });

    it('[store.pg.unavailable.statement-timeout] a statement cut by statement_timeout is unavailable and not stored', async () => {
      const schema = newSchemaName();
      const store = await openStore({ schema, statementTimeoutMs: 300 });
      const app = await store.directory.createApp('x', DEFAULT_APP_SETTINGS, T0);
      const room = await store.directory.createRoom(
        app.id,
        { name: 'r', visibility: 'public', createdBy: null },
        T0,
      );
      const lock = await lockRoom(schema, room.id);
      try {
        const input: NewMessage = {
          appId: app.id,
          roomId: room.id,
          kind: 'system',
          authorId: null,
          text: 'late',
          html: '',
          clientMsgId: null,
          createdAt: T0,
        };
        await expectCode(store.messages.append(input), 'unavailable');
      } finally {
        await lock.release();
      }
      expect(await store.messages.lastSeq(room.id)).toBe(0);
      expect(await store.messages.range(room.id, { limit: 10 })).toEqual([]);
    });

    it('[store.pg.unavailable.cut] connections cut mid-flight: every append either committed or failed unavailable', async () => {
      const schema = newSchemaName();
      const proxy = await CuttableProxy.start(DATABASE_URL);
      const store = await openStore({
        schema,
        connectionString: proxy.url(DATABASE_URL),
        connectionTimeoutMs: 1000,
      });
      const app = await store.directory.createApp('x', DEFAULT_APP_SETTINGS, T0);
      const user = await store.directory.createUser(
        app.id,
        { username: 'alice', role: 'member', kind: 'account', passwordHash: null },
        T0,
      );
      const room = await store.directory.createRoom(
        app.id,
        { name: 'r', visibility: 'public', createdBy: null },
        T0,
      );
      const input = (i: number): NewMessage => ({
        appId: app.id,
        roomId: room.id,
        kind: 'text',
        authorId: user.id,
        text: `m${i}`,
        html: '',
        clientMsgId: `c${i}`,
        createdAt: T0,
      });
      for (let i = 0; i < 5; i++) await store.messages.append(input(i));

      const inFlight = Array.from({ length: 40 }, (_, i) =>
        store.messages.append(input(100 + i)).then(
          (result) => ({ ok: true as const, result }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
      );
      // Cut as soon as the first of them is through, while the rest are queued or mid-transaction.
      await Promise.race(inFlight);
      await proxy.cut();
      const outcomes = await Promise.all(inFlight);
      const failures = outcomes.filter((o) => !o.ok);
      for (const o of failures) {
        expect(o.error).toBeInstanceOf(ParleyError);
        expect((o.error as ParleyError).code).toBe('unavailable');
      }
      expect(failures.length).toBeGreaterThan(0);

      // While the database is away, everything is unavailable, quickly.
      const started = performance.now();
      await expectCode(store.ping(), 'unavailable');
      await expectCode(store.messages.append(input(999)), 'unavailable');
      await expectCode(store.directory.listApps(), 'unavailable');
      expect(performance.now() - started).toBeLessThan(5000);

      // Back again: the same store recovers, and every success it reported is in the database as reported.
      await proxy.listen();
      await until(
        () =>
          store.ping().then(
            () => true,
            () => false,
          ),
        'the store to reconnect',
      );
      const direct = await openStore({ schema });
      for (const o of outcomes) {
        if (o.ok) expect(await direct.messages.get(room.id, o.result.message.id)).toEqual(o.result.message);
      }
      const last = await direct.messages.lastSeq(room.id);
      const stored = await direct.messages.range(room.id, { afterSeq: 0, limit: 1000 });
      expect(stored.map((m) => m.seq)).toEqual(seqsUpTo(last));
      expect(last).toBeGreaterThanOrEqual(5 + outcomes.filter((o) => o.ok).length);
      // A retry of a send that failed (it may or may not have committed) never posts it twice.
      for (let i = 0; i < 40; i++) await store.messages.append(input(100 + i));
      const after = await direct.messages.range(room.id, { afterSeq: 0, limit: 1000 });
      expect(after.map((m) => m.seq)).toEqual(seqsUpTo(45));
      await proxy.cut();
    });
  });
});

describe('postgres error mapping', () => {
  function dbError(code: string): pg.DatabaseError {
    const err = new pg.DatabaseError(`server says ${code}`, 0, 'error');
    err.code = code;
    return err;
  }
  const codeOf = (err: unknown) => (err instanceof ParleyError ? err.code : null);

  it('[store.pg.errors] driver errors map to conflict, not_found and unavailable', () => {
    expect(codeOf(mapPgError(dbError('23505'), 'taken'))).toBe('conflict');
    expect((mapPgError(dbError('23505'), 'taken') as ParleyError).message).toBe('taken');
    expect(codeOf(mapPgError(dbError('23503')))).toBe('not_found');
    // Admin shutdown, connection failure, statement timeout, too many connections, deadlock, server starting.
    for (const code of [
      '57P01',
      '08006',
      '08001',
      '57014',
      '53300',
      '40P01',
      '40001',
      '57P03',
      '28P01',
      '3D000',
    ]) {
      expect(codeOf(mapPgError(dbError(code))), code).toBe('unavailable');
    }
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(codeOf(mapPgError(refused))).toBe('unavailable');
    expect(codeOf(mapPgError(new AggregateError([refused], 'all addresses failed')))).toBe('unavailable');
    for (const message of [
      'Connection terminated unexpectedly',
      'Connection terminated due to connection timeout',
      'timeout exceeded when trying to connect',
      'Cannot use a pool after calling end on the pool',
      'Client has encountered a connection error and is not queryable',
      'Query read timeout',
    ]) {
      expect(codeOf(mapPgError(new Error(message))), message).toBe('unavailable');
    }
    expect(codeOf(mapPgError(new Error('wrapped', { cause: refused })))).toBe('unavailable');
    const mapped = mapPgError(dbError('57P01'));
    expect(mapped instanceof ParleyError ? mapped.message : '').not.toContain('server says');
    // Anything else is a bug and keeps its identity (and stack).
    const bug = dbError('42P01');
    expect(mapPgError(bug)).toBe(bug);
    const plain = new TypeError('x');
    expect(mapPgError(plain)).toBe(plain);
  });

  it('[store.pg.int8] BIGINT values come back as numbers, and one beyond 2^53 is refused rather than rounded', () => {
    const parse = TYPES.getTypeParser(20, 'text') as (text: string) => unknown;
    expect(parse('42')).toBe(42);
    expect(parse('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => parse('9007199254740993')).toThrow(ParleyError);
    // Other types keep pg's parsers.
    expect((TYPES.getTypeParser(23, 'text') as (text: string) => unknown)('7')).toBe(7);
  });
});
