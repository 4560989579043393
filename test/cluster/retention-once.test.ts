/**
 * Retention runs once per cluster: two engines on one PostgreSQL database sweep at the same moment, and only
 * the one that takes the lease purges; the other skips until the lease expires (docs/data-protection.md).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/core/dataProtection.js';
import type { Store } from '../../src/engine/ports/store.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { createTestEngine, ManualClock, type TestEngine } from '../helpers/engine.js';

const DATABASE_URL = process.env.PARLEY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const OLD = 300;

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

const available = await reachable();
if (!available && process.env.CI)
  throw new Error('PostgreSQL is not reachable for the retention cluster test');

describe.skipIf(!available)('retention once per cluster (PostgreSQL)', () => {
  const schema = `parley_test_${randomBytes(6).toString('hex')}`;
  const clock = new ManualClock(Date.now());
  const stores: Store[] = [];
  const nodes: TestEngine[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const store = await openPostgresStore({ connectionString: DATABASE_URL, schema, max: 4 });
      stores.push(store);
      nodes.push(await createTestEngine({ store, clock }));
    }
  });
  afterAll(async () => {
    for (const node of nodes) await node.close();
    for (const store of stores) await store.close();
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await admin.end();
  });

  it('two nodes sweep together: one purges everything, the other skips until the lease expires', async () => {
    const [a, b] = nodes as [TestEngine, TestEngine];
    const store = a.store;
    const app = (await store.directory.listApps())[0];
    if (!app) throw new Error('no app');
    const room = await store.directory.createRoom(
      app.id,
      { name: 'archive', visibility: 'public', createdBy: null },
      clock.now(),
    );
    await store.dataProtection.setRoomRetention(app.id, room.id, 1);
    for (let i = 0; i < OLD; i++) {
      await store.messages.append({
        appId: app.id,
        roomId: room.id,
        kind: 'system',
        authorId: null,
        text: `old ${i}`,
        html: `old ${i}`,
        clientMsgId: null,
        createdAt: clock.now(),
      });
    }
    clock.advance(2 * DAY_MS);
    for (const node of nodes) node.engine.retention.settings.batch = 20;

    const sweeps = await Promise.all([a.engine.retention.sweep(), b.engine.retention.sweep()]);
    expect(sweeps.filter((s) => s.ran)).toHaveLength(1);
    expect(sweeps.map((s) => s.purged).sort((x, y) => x - y)).toEqual([0, OLD]);
    expect(sweeps.find((s) => s.ran)?.batches).toBe(OLD / 20);
    expect(await store.messages.range(room.id, { limit: 10 })).toEqual([]);

    // The holder keeps the lease for a while after its sweep; the other node skips until it expires.
    const holder = sweeps[0]?.ran ? a : b;
    const other = holder === a ? b : a;
    expect(await other.engine.retention.sweep()).toMatchObject({ ran: false });
    expect(await holder.engine.retention.sweep()).toMatchObject({ ran: true, purged: 0 });
    clock.advance(12 * 60_000);
    expect(await other.engine.retention.sweep()).toMatchObject({ ran: true, purged: 0 });
  });
});
