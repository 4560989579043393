import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { FailureLockPolicy } from '../core/failureLock.js';
import type { FloodLimit } from '../core/types.js';
import type { Counters, Taken } from '../engine/ports/counters.js';
import { LocalCounters } from './localCounters.js';

export interface RedisCountersOptions {
  url: string;
  /** Put before every key, so that clusters sharing one Redis keep their counters apart. */
  prefix?: string;
  logger: Logger;
  /** The node's clock, for the in-memory counters used while Redis cannot answer. */
  clock: Clock;
}

export interface RedisCounters extends Counters {
  /** The connection, for the other counters kept in Redis (the HTTP sign-in routes' cap). */
  readonly client: Redis;
  /** Resolves once the connection is up (the counters answer from memory until then). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_COUNTERS_PREFIX = 'parley:limits:';
/** A counter that does not answer within this is answered from this node's memory instead. */
const COMMAND_TIMEOUT_MS = 500;
const MAX_BACKOFF_MS = 5000;

// Every script reads Redis's own clock (TIME), so that nodes whose clocks disagree still share one bucket.
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** A token bucket in a hash: tokens, last refill, and the limit it was made for (a new limit starts afresh). */
const TAKE = `${NOW}
local burst = tonumber(ARGV[1]) local rate = tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'burst', 'rate')
local tokens = tonumber(s[1]) local at = tonumber(s[2])
if tokens == nil or s[3] ~= ARGV[1] or s[4] ~= ARGV[2] then tokens = burst at = now end
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate * 1000) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now, 'burst', ARGV[1], 'rate', ARGV[2])
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return wait`;

/** A fixed window that starts at its first hit; a refused hit is not counted. */
const HIT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if n <= tonumber(ARGV[2]) then return 0 end
redis.call('DECR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
return ttl`;

/** core/failureLock.ts in a hash: failures, locks so far, locked until; forgotten after forgetMs of quiet. */
const FAIL = `${NOW}
local s = redis.call('HMGET', KEYS[1], 'failures', 'locks', 'until')
local failures = (tonumber(s[1]) or 0) + 1 local locks = tonumber(s[2]) or 0 local lockedUntil = tonumber(s[3]) or 0
if failures >= tonumber(ARGV[1]) then
  lockedUntil = now + math.min(tonumber(ARGV[3]), tonumber(ARGV[2]) * 2 ^ locks)
  locks = locks + 1 failures = 0
end
redis.call('HSET', KEYS[1], 'failures', failures, 'locks', locks, 'until', lockedUntil)
redis.call('PEXPIRE', KEYS[1], math.max(0, lockedUntil - now) + tonumber(ARGV[4]))
return 0`;

const LOCKED = `${NOW}
local lockedUntil = tonumber(redis.call('HGET', KEYS[1], 'until')) or 0
return math.max(0, lockedUntil - now)`;

interface Scripts {
  parleyTake(key: string, burst: string, rate: string): Promise<number>;
  parleyHit(key: string, windowMs: number, max: number): Promise<number>;
  parleyFail(key: string, max: number, lockMs: number, maxLockMs: number, forgetMs: number): Promise<number>;
  parleyLocked(key: string): Promise<number>;
}

function taken(waitMs: number): Taken {
  return waitMs > 0 ? { ok: false, retryAfterMs: waitMs } : { ok: true };
}

/**
 * The counters of a cluster, in Redis: each check is one atomic script (one round trip), each key expires by
 * itself once it no longer matters. While Redis cannot answer (down, or slower than COMMAND_TIMEOUT_MS), a
 * node counts in its own memory: a limit is then per node for a while, never a refusal for everyone.
 */
export function createRedisCounters(opts: RedisCountersOptions): RedisCounters {
  const prefix = opts.prefix ?? DEFAULT_COUNTERS_PREFIX;
  const log = opts.logger;
  const redis = new Redis(opts.url, {
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 6), MAX_BACKOFF_MS),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectionName: 'parley-limits',
  });
  let closed = false;
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis counters connection error'));
  redis.defineCommand('parleyTake', { numberOfKeys: 1, lua: TAKE });
  redis.defineCommand('parleyHit', { numberOfKeys: 1, lua: HIT });
  redis.defineCommand('parleyFail', { numberOfKeys: 1, lua: FAIL });
  redis.defineCommand('parleyLocked', { numberOfKeys: 1, lua: LOCKED });
  const scripts = redis as unknown as Scripts;
  const fallback = new LocalCounters(opts.clock);
  let warned = false;

  /** The shared answer, or this node's own while Redis cannot give one (logged once per outage). */
  async function shared<T>(run: () => Promise<T>, local: () => T): Promise<T> {
    try {
      const answer = await run();
      warned = false;
      return answer;
    } catch (err) {
      if (!warned && !closed)
        log.warn({ err: (err as Error).message }, 'redis counters unavailable: counting on this node');
      warned = true;
      return local();
    }
  }

  const ready = new Promise<void>((resolve) => {
    if (redis.status === 'ready') resolve();
    else redis.once('ready', () => resolve());
  });

  return {
    scope: 'cluster',
    client: redis,
    ready,
    take: (key: string, limit: FloodLimit) =>
      shared(
        async () =>
          taken(await scripts.parleyTake(prefix + key, String(limit.burst), String(limit.perSecond))),
        () => fallback.take(key, limit),
      ),
    hit: (key: string, windowMs: number, max: number) =>
      shared(
        async () => taken(await scripts.parleyHit(prefix + key, windowMs, max)),
        () => fallback.hit(key, windowMs, max),
      ),
    lockedFor: (key: string, policy: FailureLockPolicy) =>
      shared(
        () => scripts.parleyLocked(prefix + key),
        () => fallback.lockedFor(key, policy),
      ),
    fail: (key: string, policy: FailureLockPolicy) =>
      shared(
        async () => {
          await scripts.parleyFail(
            prefix + key,
            policy.maxFailures,
            policy.lockMs,
            policy.maxLockMs,
            policy.forgetMs,
          );
        },
        () => fallback.fail(key, policy),
      ),
    clear: (key: string) =>
      shared(
        async () => {
          await redis.del(prefix + key);
        },
        () => fallback.clear(key),
      ),
    sweep: () => fallback.sweep(),
    close: async () => {
      closed = true;
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
