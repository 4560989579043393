import type { Clock } from '../core/clock.js';
import { FailureLock, type FailureLockPolicy } from '../core/failureLock.js';
import { TokenBucket } from '../core/tokenBucket.js';
import type { FloodLimit } from '../core/types.js';
import type { Counters, Taken } from '../engine/ports/counters.js';

/** Keys held per kind (buckets, windows, locks); past it the least recently touched go first. */
const MAX_KEYS = 100_000;

interface Bucket {
  bucket: TokenBucket;
  limit: FloodLimit;
}

interface Window {
  endsAt: number;
  hits: number;
}

/** Re-inserts `key` last, so that a map's order is the order its keys were last touched, and trims the oldest. */
function touch<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= MAX_KEYS) return;
    map.delete(oldest);
  }
}

/**
 * The counters of one node, in memory. Every answer is synchronous (no promise, no round trip): this is what a
 * single node runs on, where a send's flood check must cost nothing.
 */
export class LocalCounters implements Counters {
  readonly scope = 'node' as const;
  private readonly buckets = new Map<string, Bucket>();
  private readonly windows = new Map<string, Window>();
  private readonly locks = new FailureLock(MAX_KEYS);

  constructor(private readonly clock: Clock) {}

  take(key: string, limit: FloodLimit): Taken {
    const now = this.clock.now();
    let entry = this.buckets.get(key);
    // A bucket follows its limit: when the operator changes it, the next take starts afresh at the new size.
    if (!entry || entry.limit.burst !== limit.burst || entry.limit.perSecond !== limit.perSecond) {
      entry = { bucket: new TokenBucket(limit.burst, limit.perSecond, now), limit };
      touch(this.buckets, key, entry);
    }
    return entry.bucket.take(now);
  }

  hit(key: string, windowMs: number, max: number): Taken {
    const now = this.clock.now();
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { endsAt: now + windowMs, hits: 0 };
      touch(this.windows, key, window);
    }
    if (window.hits >= max) return { ok: false, retryAfterMs: window.endsAt - now };
    window.hits += 1;
    return { ok: true };
  }

  lockedFor(key: string, policy: FailureLockPolicy): number {
    return this.locks.retryAfter(key, this.clock.now(), policy);
  }

  fail(key: string, policy: FailureLockPolicy): void {
    const now = this.clock.now();
    this.locks.begin(key, now, policy);
    this.locks.end(key, now, policy, 'failed');
  }

  clear(key: string): void {
    const now = this.clock.now();
    const policy = { maxFailures: 1, lockMs: 0, maxLockMs: 0, forgetMs: 0 };
    this.locks.begin(key, now, policy);
    this.locks.end(key, now, policy, 'forget');
  }

  sweep(): void {
    const now = this.clock.now();
    for (const [key, entry] of this.buckets) if (entry.bucket.isIdle(now)) this.buckets.delete(key);
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }

  /** Buckets held (for tests of the sweep). */
  get size(): number {
    return this.buckets.size;
  }
}
