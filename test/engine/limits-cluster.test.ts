import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalBusHub } from '../../src/bus/local.js';
import { createRedisCounters, type RedisCounters } from '../../src/bus/redisCounters.js';
import { systemClock } from '../../src/core/clock.js';
import type { AppSettings } from '../../src/core/types.js';
import type { Engine } from '../../src/engine/engine.js';
import type { Store } from '../../src/engine/ports/store.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { createTestEngine, RecordingSink, type TestEngine } from '../helpers/engine.js';
import { requireTestRedis, TEST_REDIS_URL } from '../helpers/redis.js';

/**
 * Three engines in one process on one store and one bus, each with its own connection to the Redis counters of
 * one cluster (one prefix): the limits are the cluster's, not each node's.
 */
const available = await requireTestRedis();

let nodes: TestEngine[] = [];
let counters: RedisCounters[] = [];
let store: Store | null = null;
afterEach(async () => {
  for (const node of nodes) await node.close();
  for (const c of counters) await c.close();
  await store?.close();
  nodes = [];
  counters = [];
  store = null;
});

async function cluster(settings: Partial<AppSettings>): Promise<Engine[]> {
  store = openSqliteStore({ path: ':memory:' });
  const hub = new LocalBusHub();
  const prefix = `parley-test:${randomUUID()}:`;
  for (let i = 0; i < 3; i++) {
    const shared = createRedisCounters({
      url: TEST_REDIS_URL,
      prefix,
      logger: pino({ level: 'silent' }),
      clock: systemClock,
    });
    counters.push(shared);
    await shared.ready;
    nodes.push(await createTestEngine({ store, bus: hub.connect(), counters: shared }));
    // The settings before the next node starts, so that every node loads them as they are.
    if (i === 0) await nodes[0]?.engine.updateApp(1, { settings });
  }
  return nodes.map((n) => n.engine);
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (err: { code?: string }) => err.code ?? 'thrown',
  );

describe.skipIf(!available)('limits shared by a cluster (Redis counters)', () => {
  it('[limits.cluster.flood] a user connected to three nodes gets the flood budget of one', async () => {
    const engines = await cluster({ flood: { burst: 6, perSecond: 0.01 } });
    await engines[0]?.createUser(1, { username: 'spread', role: 'member' });
    const sessions = await Promise.all(
      engines.map(async (engine) => {
        const { token } = await engine.issueToken(1, 'spread');
        const session = engine.openSession(
          await engine.authenticate(1, { kind: 'token', token }),
          new RecordingSink(),
        );
        await session.join('lobby');
        return session;
      }),
    );
    const outcomes: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (const session of sessions)
        outcomes.push(await codeOf(session.send('lobby', { text: `r${round}` })));
    }
    // Six sends in all pass (two on each node), then every node refuses: not six per node.
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(6);
    expect(outcomes.slice(6)).toEqual(['rate_limited', 'rate_limited', 'rate_limited']);
    const refused = await sessions[2]?.send('lobby', { text: 'again' }).catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: 'rate_limited', details: { retryAfterMs: expect.any(Number) } });
  });

  it('[limits.cluster.signin] wrong passwords spread over the nodes lock the account after the limit', async () => {
    const engines = await cluster({
      signIn: {
        failuresPerAccount: 3,
        failuresPerAddress: 1000,
        lockSeconds: 60,
        registrationsPerAddressPerHour: 1000,
      },
    });
    await engines[0]?.register(1, 'target', 'right-password-123', '203.0.113.7');
    const attempt = (engine: Engine | undefined, password: string) =>
      codeOf(
        engine?.login(1, 'target', password, `203.0.113.${Math.floor(Math.random() * 200) + 10}`) ??
          Promise.reject(),
      );
    // One wrong password on each node: three in all, which is the account's limit.
    for (const engine of engines) expect(await attempt(engine, 'wrong-password-1')).toBe('unauthorized');
    // Every node now refuses the account, the right password included, without checking it.
    for (const engine of engines) expect(await attempt(engine, 'right-password-123')).toBe('rate_limited');
  });

  it('[limits.cluster.guests] new guests per address are counted across the nodes', async () => {
    const engines = await cluster({
      signIn: {
        failuresPerAccount: 5,
        failuresPerAddress: 20,
        lockSeconds: 60,
        registrationsPerAddressPerHour: 10,
        guestsPerAddressPerMinute: 4,
      },
    });
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const engine = engines[i % 3];
      outcomes.push(
        await codeOf(
          engine?.authenticate(1, { kind: 'guest', nickname: `visitor${i}` }, '198.51.100.20') ??
            Promise.reject(),
        ),
      );
    }
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok', 'rate_limited', 'rate_limited']);
    // Another address has a budget of its own.
    expect(
      await codeOf(engines[1]!.authenticate(1, { kind: 'guest', nickname: 'other' }, '198.51.100.21')),
    ).toBe('ok');
  });
});
