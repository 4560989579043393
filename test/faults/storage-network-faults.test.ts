/**
 * Issue 10, storage: PostgreSQL and Redis faults under traffic, beyond what test/cluster covers. The shared
 * PostgreSQL and Redis are never stopped (other tests use them at the same time): PostgreSQL is reached
 * through a TCP proxy the test cuts (every connection dropped at once and new ones refused, as in a failover),
 * and the Redis is the test's own redis-server, paused with SIGSTOP (a Redis that hangs) and resumed.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  TEST_DATABASE_URL,
  TcpBalancer,
  clusterServicesAvailable,
  fullHistory,
  withHostPort,
} from '../helpers/cluster.js';
import { startOwnRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { recordOutcome, rssBytes } from './report.js';
import {
  FAULT_WAIT_MS,
  readyStatus,
  runStorageFault,
  sendingClient,
  startFaultNode,
} from './storageHarness.js';

/** Clients sending at once through the PostgreSQL failover (the pool holds 10 connections). */
const SENDERS = 6;

const available = await clusterServicesAvailable('test/faults/storage-network-faults');

describe.skipIf(!available)('issue 10 storage: PostgreSQL and Redis faults under traffic', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => {});
  });

  it('issue 10 storage: PostgreSQL failover — every connection dropped at once, new ones refused, then back', async () => {
    const target = new URL(TEST_DATABASE_URL);
    const proxy = await new TcpBalancer([
      { host: target.hostname || '127.0.0.1', port: Number(target.port || 5432) },
    ]).start();
    cleanups.push(() => proxy.close());
    const schema = `parley_fault_${randomBytes(6).toString('hex')}`;
    cleanups.push(async () => {
      const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await db.connect();
      try {
        await db.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      } finally {
        await db.end();
      }
    });
    const node = await startFaultNode({
      databaseUrl: withHostPort(TEST_DATABASE_URL, '127.0.0.1', proxy.port),
      databaseSchema: schema,
    });
    cleanups.push(() => node.close());
    const m = await runStorageFault(
      node,
      { inject: async () => proxy.cut(), heal: async () => proxy.restore() },
      SENDERS,
    );
    expect(m.codes, 'every refusal is `unavailable`').toEqual(['unavailable']);
    expect(m.refused).toBeGreaterThanOrEqual(5);
    expect(m.lost, 'acknowledged messages missing from history').toBe(0);
    recordOutcome({
      id: 'S-pg-failover',
      fault: `every PostgreSQL connection dropped at once and new ones refused (a failover) under ${SENDERS} sending clients, then restored`,
      expected:
        'sends answered `unavailable`, never a false ack, no crash; /readyz 503 during the outage and 200 after; messages lost: 0',
      measured: `refused ${m.refused} sends (${m.codes.join(', ')}), /readyz 503 then 200, ${m.lost} lost`,
      numbers: {
        'time to detect (ms)': m.detectMs,
        'time to recover (ms)': m.recoverMs,
        'sends refused': m.refused,
        'messages acked': m.acked,
        'messages lost': m.lost,
        'sending clients': SENDERS,
      },
    });
  });

  it('issue 10 storage: Redis hangs (SIGSTOP) — sends are still stored and acknowledged, the node stays ready', async () => {
    const redis = await startOwnRedis();
    cleanups.push(async () => {
      redis.signal('SIGCONT');
      await redis.stop();
    });
    const node = await startFaultNode({ redisUrl: redis.url });
    cleanups.push(() => node.close());
    const { room, stream } = await sendingClient(node);
    stream.start();
    let ackedWhilePaused = 0;
    let rssPeak = 0;
    const rssBefore = await rssBytes();
    let resumedAfterMs = 0;
    try {
      await stream.waitForAcked(10, 'traffic before the pause', FAULT_WAIT_MS);
      redis.signal('SIGSTOP');
      const ackedAtPause = stream.acked.length;
      // Storage is what acknowledges a send: a bus that hangs must not hold sends up, nor the node's readiness.
      await stream.waitForAcked(ackedAtPause + 50, 'sends acknowledged while Redis hangs', FAULT_WAIT_MS);
      expect(await readyStatus(node)).toBe(200);
      ackedWhilePaused = stream.acked.length - ackedAtPause;
      rssPeak = await rssBytes();
      const resumed = Date.now();
      redis.signal('SIGCONT');
      const ackedAtResume = stream.acked.length;
      await stream.waitForAcked(ackedAtResume + 10, 'sends after Redis resumed', FAULT_WAIT_MS);
      resumedAfterMs = Date.now() - resumed;
    } finally {
      redis.signal('SIGCONT');
      await stream.stop();
    }
    expect(stream.failures, 'no send refused because of the bus').toEqual([]);
    const stored = new Set((await fullHistory(node, room)).map((m) => m.clientMsgId));
    const lost = stream.acked.filter((a) => !stored.has(a.clientMsgId)).length;
    expect(lost).toBe(0);
    await waitFor(async () => (await readyStatus(node)) === 200, { timeoutMs: FAULT_WAIT_MS });
    recordOutcome({
      id: 'S-redis-hang',
      fault: 'the Redis bus stops answering (redis-server under SIGSTOP) under traffic, then resumes',
      expected: 'sends stored and acknowledged throughout, /readyz 200, no crash; messages lost: 0',
      measured: `${ackedWhilePaused} sends acknowledged while Redis hung, none refused, ${lost} lost`,
      numbers: {
        'acked while paused': ackedWhilePaused,
        'time to next acks after resume (ms)': resumedAfterMs,
        'RSS before (bytes)': rssBefore,
        'RSS while paused (bytes)': rssPeak,
        'messages acked': stream.acked.length,
        'messages lost': lost,
      },
    });
  });
});
