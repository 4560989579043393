import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalCounters } from '../../src/bus/localCounters.js';
import { createRedisCounters, type RedisCounters } from '../../src/bus/redisCounters.js';
import { systemClock } from '../../src/core/clock.js';
import type { FailureLockPolicy } from '../../src/core/failureLock.js';
import type { Counters } from '../../src/engine/ports/counters.js';
import { requireTestRedis, TEST_REDIS_URL } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const available = await requireTestRedis();
const logger = pino({ level: 'silent' });

const POLICY: FailureLockPolicy = { maxFailures: 3, lockMs: 200, maxLockMs: 500, forgetMs: 60_000 };

/** The one contract both implementations of the counters port keep (ports/counters.ts). */
function counterContract(name: string, open: () => Promise<Counters>, skip = false) {
  describe.skipIf(skip)(`counters contract: ${name}`, () => {
    const key = (label: string) => `test:${randomUUID()}:${label}`;

    it('[counters.take] a bucket gives its burst, then refuses with the wait for one token', async () => {
      const counters = await open();
      const k = key('take');
      const limit = { burst: 3, perSecond: 2 };
      for (let i = 0; i < 3; i++) expect(await counters.take(k, limit)).toEqual({ ok: true });
      const refused = await counters.take(k, limit);
      expect(refused.ok).toBe(false);
      if (!refused.ok) {
        expect(refused.retryAfterMs).toBeGreaterThan(0);
        expect(refused.retryAfterMs).toBeLessThanOrEqual(500);
      }
      // Another key has a bucket of its own, and a changed limit starts afresh.
      expect(await counters.take(key('other'), limit)).toEqual({ ok: true });
      expect(await counters.take(k, { burst: 4, perSecond: 2 })).toEqual({ ok: true });
    });

    it('[counters.take.refill] tokens come back at the rate', async () => {
      const counters = await open();
      const k = key('refill');
      const limit = { burst: 1, perSecond: 50 };
      expect((await counters.take(k, limit)).ok).toBe(true);
      await waitFor(async () => (await counters.take(k, limit)).ok, { label: 'a token back' });
    });

    it('[counters.hit] a window counts up to its max, refuses with the time left, then starts again', async () => {
      const counters = await open();
      const k = key('hit');
      for (let i = 0; i < 2; i++) expect(await counters.hit(k, 60_000, 2)).toEqual({ ok: true });
      const refused = await counters.hit(k, 60_000, 2);
      expect(refused.ok).toBe(false);
      if (!refused.ok) {
        expect(refused.retryAfterMs).toBeGreaterThan(59_000);
        expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
      }
      const short = key('short');
      expect((await counters.hit(short, 100, 1)).ok).toBe(true);
      expect((await counters.hit(short, 100, 1)).ok).toBe(false);
      await waitFor(async () => (await counters.hit(short, 100, 1)).ok, { label: 'the next window' });
    });

    it('[counters.lock] failures lock a key past the max, each further lock longer; clear forgets', async () => {
      const counters = await open();
      const k = key('lock');
      expect(await counters.lockedFor(k, POLICY)).toBe(0);
      for (let i = 0; i < 2; i++) await counters.fail(k, POLICY);
      expect(await counters.lockedFor(k, POLICY)).toBe(0);
      await counters.fail(k, POLICY);
      const first = await counters.lockedFor(k, POLICY);
      expect(first).toBeGreaterThan(0);
      expect(first).toBeLessThanOrEqual(200);
      for (let i = 0; i < 3; i++) await counters.fail(k, POLICY);
      const second = await counters.lockedFor(k, POLICY);
      expect(second).toBeGreaterThan(200);
      expect(second).toBeLessThanOrEqual(400);
      await counters.clear(k);
      expect(await counters.lockedFor(k, POLICY)).toBe(0);
      await waitFor(async () => (await counters.lockedFor(key('never'), POLICY)) === 0);
    });
  });
}

counterContract('in memory', () => Promise.resolve(new LocalCounters(systemClock)));

const redisCounters: RedisCounters[] = [];
afterAll(async () => {
  for (const counters of redisCounters) await counters.close();
});
counterContract(
  'redis',
  async () => {
    const counters = createRedisCounters({
      url: TEST_REDIS_URL,
      prefix: `parley-test:${randomUUID()}:`,
      logger,
      clock: systemClock,
    });
    redisCounters.push(counters);
    await counters.ready;
    return counters;
  },
  !available,
);

describe('in-memory counters', () => {
  it('answer synchronously: no promise on the hot path of one node', () => {
    const counters = new LocalCounters(systemClock);
    expect(counters.take('k', { burst: 1, perSecond: 1 })).not.toBeInstanceOf(Promise);
    expect(counters.hit('k', 1000, 1)).not.toBeInstanceOf(Promise);
  });
});

describe.skipIf(!available)('redis counters', () => {
  it('keep every key under the prefix, with a time to live', async () => {
    const prefix = `parley-test:${randomUUID()}:`;
    const counters = createRedisCounters({ url: TEST_REDIS_URL, prefix, logger, clock: systemClock });
    redisCounters.push(counters);
    await counters.ready;
    await counters.take('a', { burst: 2, perSecond: 1 });
    await counters.hit('b', 10_000, 2);
    await counters.fail('c', POLICY);
    const { Redis } = await import('ioredis');
    const probe = new Redis(TEST_REDIS_URL);
    try {
      const keys = (await probe.keys(`${prefix}*`)).sort();
      expect(keys).toEqual([`${prefix}a`, `${prefix}b`, `${prefix}c`]);
      for (const k of keys) expect(await probe.pttl(k)).toBeGreaterThan(0);
    } finally {
      probe.disconnect();
    }
  });

  it('count in memory while Redis cannot answer, instead of refusing everyone', async () => {
    const counters = createRedisCounters({
      url: 'redis://127.0.0.1:1',
      logger,
      clock: systemClock,
    });
    redisCounters.push(counters);
    const limit = { burst: 1, perSecond: 1 };
    expect(await counters.take('k', limit)).toEqual({ ok: true });
    expect((await counters.take('k', limit)).ok).toBe(false);
  });
});
