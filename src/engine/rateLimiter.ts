import { TokenBucket } from '../core/tokenBucket.js';
import type { FloodLimit } from '../core/types.js';

/** Per-user flood control. Buckets that have refilled are forgotten by sweep() so memory stays bounded. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  take(key: string, limit: FloodLimit, now: number): { ok: true } | { ok: false; retryAfterMs: number } {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(limit.burst, limit.perSecond, now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(now);
  }

  sweep(now: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.isIdle(now)) this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }
}
