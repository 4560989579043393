/**
 * Group commit of PostgreSQL appends (store/postgres/appendBatch.ts): order and gapless seqs under load on one
 * node and across two, dedup inside a batch, appends refused on their own inside a batch, the outbox committed
 * with its batch, one batch in flight, and the queue's limit.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import { ParleyError } from '../../src/core/errors.js';
import type { App, Room, User } from '../../src/core/types.js';
import type { AppendResult, NewMessage, Store } from '../../src/engine/ports/store.js';
import type { MessageOutbox } from '../../src/engine/ports/webhookStore.js';
import { MAX_APPENDS_QUEUED } from '../../src/store/postgres/appendBatch.js';
import { TYPES } from '../../src/store/postgres/db.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { waitFor } from '../helpers/wait.js';

const DATABASE_URL = process.env.PARLEY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const T0 = 1_700_000_000_000;

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
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

const up = await reachable(DATABASE_URL);
// In CI the suite must run: .ci/run starts PostgreSQL before the tests.
if (!up && process.env.CI) throw new Error('PostgreSQL is not reachable');

describe.skipIf(!up)('postgres: batched appends', () => {
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 3, types: TYPES });
  const schemas = new Set<string>();
  const open = new Set<Store>();

  async function openStore(schema: string): Promise<Store> {
    schemas.add(schema);
    const store = await openPostgresStore({ connectionString: DATABASE_URL, max: 5, schema });
    open.add(store);
    return store;
  }

  afterEach(async () => {
    const stores = [...open];
    open.clear();
    await Promise.all(stores.map((s) => s.close()));
    for (const schema of schemas)
      await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    schemas.clear();
  });
  afterAll(() => admin.end());

  const table = (schema: string, name: string) =>
    `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(name)}`;

  async function setup(nodeCount = 1, roomCount = 1) {
    const schema = `parley_test_${randomBytes(6).toString('hex')}`;
    const nodes = await Promise.all(Array.from({ length: nodeCount }, () => openStore(schema)));
    const store = nodes[0] as Store;
    const app = await store.directory.createApp('batch', DEFAULT_APP_SETTINGS, T0);
    const user = await store.directory.createUser(
      app.id,
      { username: 'alice', role: 'member', kind: 'account', passwordHash: null },
      T0,
    );
    const rooms: Room[] = [];
    for (let i = 0; i < roomCount; i++) {
      rooms.push(
        await store.directory.createRoom(
          app.id,
          { name: `r${i}`, visibility: 'public', createdBy: null },
          T0,
        ),
      );
    }
    return { schema, nodes, store, app, user, rooms, room: rooms[0] as Room };
  }

  function msg(app: App, room: Room, user: User, text: string, extra: Partial<NewMessage> = {}): NewMessage {
    return {
      appId: app.id,
      roomId: room.id,
      kind: 'text',
      authorId: user.id,
      text,
      html: text,
      clientMsgId: null,
      createdAt: T0,
      ...extra,
    };
  }

  /** Every outcome, kept whether it succeeded or not, in the order the appends were made. */
  function settle(promises: Promise<AppendResult>[]) {
    return Promise.all(
      promises.map((p) =>
        p.then(
          (result) => ({ ok: true as const, result }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
      ),
    );
  }

  function codeOf(outcome: { ok: boolean; error?: unknown }): string | null {
    if (outcome.ok) return null;
    return outcome.error instanceof ParleyError ? outcome.error.code : 'not a ParleyError';
  }

  /**
   * A transaction on its own connection holding `roomId`'s row lock (as a writer on another node would), and how
   * many sessions wait behind it.
   */
  async function lockRoom(schema: string, roomId: number) {
    const client = await admin.connect();
    await client.query('BEGIN');
    await client.query(`SELECT id FROM ${table(schema, 'rooms')} WHERE id = $1 FOR UPDATE`, [roomId]);
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    return {
      async waiters(): Promise<number> {
        const { rows } = await admin.query<{ n: number }>(
          'SELECT count(*) AS n FROM pg_stat_activity WHERE $1::int = ANY(pg_blocking_pids(pid))',
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

  it('[store.pg.batch.order] 400 concurrent appends over 8 rooms: each room gapless, in arrival order', async () => {
    const { store, app, user, rooms } = await setup(1, 8);
    const made = Array.from({ length: 400 }, (_, i) => {
      const room = rooms[i % rooms.length] as Room;
      return { room, promise: store.messages.append(msg(app, room, user, String(i))) };
    });
    const results = await Promise.all(made.map((m) => m.promise));
    for (const room of rooms) {
      const mine = results.filter((r) => r.message.roomId === room.id);
      // Arrival order is the order of i; it must be the order of seqs, which run 1..n.
      expect(mine.map((r) => r.message.seq)).toEqual(mine.map((_, k) => k + 1));
      expect(await store.messages.lastSeq(room.id)).toBe(50);
      const stored = await store.messages.range(room.id, { afterSeq: 0, limit: 100 });
      expect(stored.map((m) => m.text)).toEqual(mine.map((r) => r.message.text));
    }
  });

  it('[store.pg.batch.two-nodes] two nodes × 150 concurrent appends to one room: seqs exactly 1..300, each node in order', async () => {
    const { nodes, app, user, room } = await setup(2);
    const perNode = nodes.map((node, n) =>
      Promise.all(
        Array.from({ length: 150 }, (_, i) => node.messages.append(msg(app, room, user, `n${n}-${i}`))),
      ),
    );
    const [a, b] = await Promise.all(perNode);
    const seqs = (xs: AppendResult[] | undefined) => (xs ?? []).map((r) => r.message.seq);
    const all = [...seqs(a), ...seqs(b)].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    for (const own of [seqs(a), seqs(b)]) expect(own).toEqual([...own].sort((x, y) => x - y));
  });

  it('[store.pg.batch.one-in-flight] appends behind a locked room wait as one batch, the rest queued behind it', async () => {
    const { schema, store, app, user, room } = await setup();
    const lock = await lockRoom(schema, room.id);
    const pending = settle(
      Array.from({ length: 30 }, (_, i) => store.messages.append(msg(app, room, user, String(i)))),
    );
    await waitFor(async () => (await lock.waiters()) >= 1, {
      timeoutMs: 20_000,
      label: 'the first batch to wait on the room',
    });
    // One session waits on the room however many appends there are: the others are queued in the node.
    expect(await lock.waiters()).toBe(1);
    await lock.release();
    const outcomes = await pending;
    expect(outcomes.map((o) => (o.ok ? o.result.message.seq : 0))).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
  });

  it('[store.pg.batch.dedup] a clientMsgId twice in one batch stores one message; the second is its duplicate', async () => {
    const { schema, store, app, user, room } = await setup();
    const lock = await lockRoom(schema, room.id);
    // The first append waits on the lock; the next three are queued and go out as one batch.
    const first = store.messages.append(msg(app, room, user, 'first'));
    await waitFor(async () => (await lock.waiters()) >= 1, {
      timeoutMs: 20_000,
      label: 'the first append to wait',
    });
    const batch = [
      store.messages.append(msg(app, room, user, 'hello', { clientMsgId: 'c1' })),
      store.messages.append(msg(app, room, user, 'other')),
      store.messages.append(msg(app, room, user, 'hello again', { clientMsgId: 'c1' })),
    ];
    await lock.release();
    await first;
    const [one, two, three] = await Promise.all(batch);
    expect(one).toMatchObject({ duplicate: false, message: { seq: 2, text: 'hello', clientMsgId: 'c1' } });
    expect(two).toMatchObject({ duplicate: false, message: { seq: 3 } });
    expect(three?.duplicate).toBe(true);
    expect(three?.message).toEqual(one?.message);
    expect(await store.messages.lastSeq(room.id)).toBe(3);
  });

  it('[store.pg.batch.isolation] slow mode, a missing room and a missing reply parent fail only their own append', async () => {
    const { schema, store, app, user, room } = await setup();
    const parent = await store.messages.append(msg(app, room, user, 'parent'));
    await store.directory.updateRoom(app.id, room.id, { slowModeSeconds: 60 });
    const lock = await lockRoom(schema, room.id);
    const first = store.messages.append(msg(app, room, user, 'system', { authorId: null, kind: 'system' }));
    await waitFor(async () => (await lock.waiters()) >= 1, {
      timeoutMs: 20_000,
      label: 'the first append to wait',
    });
    const outcomes = settle([
      store.messages.append(msg(app, room, user, 'too soon', { slowMode: true, createdAt: T0 + 1000 })),
      store.messages.append(msg(app, room, user, 'a reply', { replyTo: parent.message.id })),
      store.messages.append({ ...msg(app, room, user, 'nowhere'), roomId: room.id + 1000 }),
      store.messages.append(msg(app, room, user, 'to nothing', { replyTo: parent.message.id + 1000 })),
      store.messages.append(msg(app, room, user, 'last')),
    ]);
    await lock.release();
    await first;
    const got = await outcomes;
    expect(got.map(codeOf)).toEqual(['slow_mode', null, 'not_found', 'not_found', null]);
    const slow = got[0]?.ok === false ? (got[0].error as ParleyError) : null;
    expect(slow?.details).toEqual({ retryAfterMs: 59_000, slowModeSeconds: 60 });
    const reply = got[1]?.ok === true ? got[1].result.message : null;
    expect(reply).toMatchObject({ seq: 3, replyTo: { id: parent.message.id, excerpt: 'parent' } });
    expect(got[4]?.ok === true ? got[4].result.message.seq : 0).toBe(4);
    expect((await store.messages.get(room.id, parent.message.id))?.replyCount).toBe(1);
    expect(await store.messages.lastSeq(room.id)).toBe(4);
  });

  it('[store.pg.batch.fallback] an append that breaks a constraint fails alone; the rest of its batch is stored', async () => {
    const { schema, store, app, user, room } = await setup();
    const lock = await lockRoom(schema, room.id);
    const first = store.messages.append(msg(app, room, user, 'first'));
    await waitFor(async () => (await lock.waiters()) >= 1, {
      timeoutMs: 20_000,
      label: 'the first append to wait',
    });
    const outcomes = settle([
      store.messages.append(msg(app, room, user, 'before')),
      store.messages.append({ ...msg(app, room, user, 'no such author'), authorId: user.id + 1000 }),
      store.messages.append(msg(app, room, user, 'after')),
    ]);
    await lock.release();
    await first;
    const got = await outcomes;
    expect(got.map(codeOf)).toEqual([null, 'not_found', null]);
    expect(got.map((o) => (o.ok ? o.result.message.seq : 0))).toEqual([2, 0, 3]);
    expect(await store.messages.lastSeq(room.id)).toBe(3);
  });

  it('[store.pg.batch.outbox] a batch commits its outbox rows with it, in message order; duplicates write none', async () => {
    const { schema, store, app, user, room } = await setup();
    const hook = await store.webhooks.create({
      appId: app.id,
      url: 'https://example.com/hook',
      secret: 'a-secret-of-sixteen',
      events: ['message.created'],
      enabled: true,
      now: T0,
    });
    // One spec per append, each with its own event id: the rows must come out in the order of the messages.
    const outbox = (eventId: string): MessageOutbox => ({
      appId: app.id,
      type: 'message.created',
      orderKey: `room:${room.id}`,
      webhookIds: [hook.id],
      eventId,
      createdAt: T0,
      room: { id: room.id, name: room.name },
    });
    const lock = await lockRoom(schema, room.id);
    const first = store.messages.append(msg(app, room, user, 'first', { outbox: outbox('e-first') }));
    await waitFor(async () => (await lock.waiters()) >= 1, {
      timeoutMs: 20_000,
      label: 'the first append to wait',
    });
    const batch = Array.from({ length: 20 }, (_, i) =>
      store.messages.append(
        msg(app, room, user, String(i), { outbox: outbox(`e${i}`), clientMsgId: `c${i % 10}` }),
      ),
    );
    await lock.release();
    await Promise.all([first, ...batch]);
    const { rows } = await admin.query<{ event_id: string; body: string }>(
      `SELECT event_id, body FROM ${table(schema, 'webhook_deliveries')} ORDER BY id`,
    );
    expect(rows.map((r) => r.event_id)).toEqual([
      'e-first',
      ...Array.from({ length: 10 }, (_, i) => `e${i}`),
    ]);
    // Each body carries the seq its message was committed with.
    const seqs = rows.map(
      (r) => (JSON.parse(r.body) as { data: { message: { seq: number } } }).data.message.seq,
    );
    expect(seqs).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
  });

  it('[store.pg.batch.full] past the queue limit an append is refused with rate_limited and nothing is stored', async () => {
    const { schema, store, app, user, room } = await setup();
    const lock = await lockRoom(schema, room.id);
    const first = store.messages.append(msg(app, room, user, 'first'));
    await waitFor(async () => (await lock.waiters()) >= 1, {
      timeoutMs: 20_000,
      label: 'the first append to wait',
    });
    const queued = Array.from({ length: MAX_APPENDS_QUEUED }, (_, i) =>
      store.messages.append(msg(app, room, user, String(i))),
    );
    const refused = await settle([store.messages.append(msg(app, room, user, 'one too many'))]);
    expect(refused.map(codeOf)).toEqual(['rate_limited']);
    await lock.release();
    await Promise.all([first, ...queued]);
    expect(await store.messages.lastSeq(room.id)).toBe(MAX_APPENDS_QUEUED + 1);
  });
});
