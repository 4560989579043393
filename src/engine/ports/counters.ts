import type { FailureLockPolicy } from '../../core/failureLock.js';
import type { FloodLimit } from '../../core/types.js';

/** A budget's answer: go on, or how long to wait. */
export type Taken = { ok: true } | { ok: false; retryAfterMs: number };

/** A value now (the in-process counters) or later (the shared ones, one round trip away). */
export type Awaitable<T> = T | Promise<T>;

/**
 * Counters that limits are kept in: flood control, sign-in failures and locks, registrations and new guests
 * per address. On one node they live in memory and answer synchronously (bus/localCounters.ts); in cluster
 * mode they live in Redis (bus/redisCounters.ts), so that a user spread over several nodes has the budget of
 * one. Keys are the caller's: each implementation keeps its keys apart from other clusters'.
 */
export interface Counters {
  /** 'node': this process only; 'cluster': shared by every node of the cluster. */
  readonly scope: 'node' | 'cluster';
  /** Takes one token of the bucket `key` sized by `limit`, or answers how long until there is one. */
  take(key: string, limit: FloodLimit): Awaitable<Taken>;
  /**
   * Counts one hit in the fixed window of `windowMs` that `key` is in; past `max` hits in it, refused with the
   * time left in the window (the refused hit is not counted).
   */
  hit(key: string, windowMs: number, max: number): Awaitable<Taken>;
  /** 0 when `key` is not locked; otherwise the ms until it is unlocked (core/failureLock.ts's rule). */
  lockedFor(key: string, policy: FailureLockPolicy): Awaitable<number>;
  /** One failure of `key`: past `policy.maxFailures` it is locked, each further lock twice as long. */
  fail(key: string, policy: FailureLockPolicy): Awaitable<void>;
  /** Forgets `key`'s failures and locks (an account signed in). */
  clear(key: string): Awaitable<void>;
  /** Forgets what has expired (the in-process counters; the shared ones expire by themselves). */
  sweep(): void;
}
