import { describe, expect, it } from 'vitest';
import { FailureLock, PENDING_RETRY_MS, type FailureLockPolicy } from '../../src/core/failureLock.js';

const POLICY: FailureLockPolicy = { maxFailures: 3, lockMs: 1000, maxLockMs: 4000, forgetMs: 60_000 };

function attempt(lock: FailureLock, key: string, now: number, outcome: 'failed' | 'succeeded' | 'forget') {
  lock.begin(key, now, POLICY);
  lock.end(key, now, POLICY, outcome);
}

describe('a failure lock', () => {
  it('locks after maxFailures, doubling each lock up to the cap, and a forget starts over', () => {
    const lock = new FailureLock(100);
    for (let i = 0; i < 2; i++) attempt(lock, 'a', 0, 'failed');
    expect(lock.retryAfter('a', 0, POLICY)).toBe(0);
    attempt(lock, 'a', 0, 'failed');
    expect(lock.retryAfter('a', 0, POLICY)).toBe(1000);
    expect(lock.retryAfter('b', 0, POLICY)).toBe(0);
    const locks: number[] = [];
    let now = 0;
    for (let round = 0; round < 4; round++) {
      now += lock.retryAfter('a', now, POLICY);
      for (let i = 0; i < 3; i++) attempt(lock, 'a', now, 'failed');
      locks.push(lock.retryAfter('a', now, POLICY));
    }
    expect(locks).toEqual([2000, 4000, 4000, 4000]);
    attempt(lock, 'a', now + 4000, 'forget');
    expect(lock.retryAfter('a', now + 4000, POLICY)).toBe(0);
    expect(lock.size).toBe(0);
  });

  it('counts attempts still running, so that a parallel burst cannot pass before the first one fails', () => {
    const lock = new FailureLock(100);
    for (let i = 0; i < 3; i++) lock.begin('a', 0, POLICY);
    expect(lock.retryAfter('a', 0, POLICY)).toBe(PENDING_RETRY_MS);
    lock.end('a', 0, POLICY, 'succeeded');
    expect(lock.retryAfter('a', 0, POLICY)).toBe(0);
  });

  it('forgets a quiet key, and holds at most maxKeys', () => {
    const lock = new FailureLock(10);
    attempt(lock, 'a', 0, 'failed');
    attempt(lock, 'a', 0, 'failed');
    attempt(lock, 'a', 60_000, 'failed');
    expect(lock.retryAfter('a', 60_000, POLICY)).toBe(0);
    for (let i = 0; i < 50; i++) attempt(lock, `k${i}`, 0, 'failed');
    expect(lock.size).toBe(10);
  });
});
