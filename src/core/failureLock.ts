/**
 * Failed attempts counted per key (an account, an address), with a lock once there are too many: the lock
 * starts at `lockMs` and doubles with every further lock, up to `maxLockMs`. A locked key is refused before any
 * work is done, so that guessing costs the server nothing past the limit. Attempts still running count as
 * failures until they end, so that a burst of parallel guesses cannot all pass before the first one fails.
 * Time is passed in (no clocks here).
 */
export interface FailureLockPolicy {
  /** Failures before the key is locked. */
  maxFailures: number;
  /** The first lock; each further one doubles it. */
  lockMs: number;
  maxLockMs: number;
  /** A key with no failure for this long is forgotten (its count and its lock doubling start again). */
  forgetMs: number;
}

/** How long a caller is asked to wait while the attempts that fill the limit are still running. */
export const PENDING_RETRY_MS = 1000;

interface Entry {
  failures: number;
  pending: number;
  locks: number;
  lastFailureAt: number;
  lockedUntil: number;
}

export class FailureLock {
  private readonly entries = new Map<string, Entry>();

  constructor(
    /** Most keys held; past it the least recently touched are forgotten first (memory stays bounded). */
    private readonly maxKeys: number,
  ) {}

  /** 0 when the key may try now; otherwise the ms until it may. */
  retryAfter(key: string, now: number, policy: FailureLockPolicy): number {
    const entry = this.live(key, now, policy);
    if (!entry) return 0;
    if (entry.lockedUntil > now) return entry.lockedUntil - now;
    return entry.failures + entry.pending >= policy.maxFailures ? PENDING_RETRY_MS : 0;
  }

  /** An attempt starts: it counts against the limit until `end`. */
  begin(key: string, now: number, policy: FailureLockPolicy): void {
    const entry = this.live(key, now, policy) ?? {
      failures: 0,
      pending: 0,
      locks: 0,
      lastFailureAt: now,
      lockedUntil: 0,
    };
    entry.pending += 1;
    this.entries.delete(key); // re-inserted last: the map's order is the order keys were last touched
    this.entries.set(key, entry);
    this.trim();
  }

  /**
   * The attempt ended. A failure is counted (and locks the key once there are `maxFailures`); with `forget`, a
   * success wipes the key's failures (an account signed in), otherwise it only stops counting.
   */
  end(key: string, now: number, policy: FailureLockPolicy, outcome: 'failed' | 'succeeded' | 'forget'): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.pending = Math.max(0, entry.pending - 1);
    if (outcome === 'forget') {
      entry.failures = 0;
      entry.locks = 0;
      entry.lockedUntil = 0;
    }
    if (outcome === 'failed') {
      entry.failures += 1;
      entry.lastFailureAt = now;
      if (entry.failures >= policy.maxFailures) {
        entry.lockedUntil = now + Math.min(policy.maxLockMs, policy.lockMs * 2 ** entry.locks);
        entry.locks += 1;
        entry.failures = 0;
      }
    }
    if (entry.pending === 0 && entry.failures === 0 && entry.lockedUntil <= now && entry.locks === 0) {
      this.entries.delete(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private live(key: string, now: number, policy: FailureLockPolicy): Entry | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    const quietFor = now - Math.max(entry.lastFailureAt, entry.lockedUntil);
    if (entry.pending === 0 && quietFor >= policy.forgetMs) {
      this.entries.delete(key);
      return null;
    }
    return entry;
  }

  private trim(): void {
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxKeys) return;
      this.entries.delete(key);
    }
  }
}
