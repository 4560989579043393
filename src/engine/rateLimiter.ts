import { TokenBucket } from '../core/tokenBucket.js';
import type { FloodLimit } from '../core/types.js';

interface Entry {
  bucket: TokenBucket;
  limit: FloodLimit;
}

/**
 * Token buckets by key. A bucket follows its limit: when the operator changes it, the next take starts a
 * fresh bucket at the new size. Buckets that have refilled are forgotten by sweep(), so memory follows the
 * keys that were active within a refill time.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Entry>();

  take(key: string, limit: FloodLimit, now: number): { ok: true } | { ok: false; retryAfterMs: number } {
    let entry = this.buckets.get(key);
    if (!entry || entry.limit.burst !== limit.burst || entry.limit.perSecond !== limit.perSecond) {
      entry = { bucket: new TokenBucket(limit.burst, limit.perSecond, now), limit };
      this.buckets.set(key, entry);
    }
    return entry.bucket.take(now);
  }

  sweep(now: number): void {
    for (const [key, entry] of this.buckets) if (entry.bucket.isIdle(now)) this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }
}
