import { isLoopback } from '../../core/addresses.js';
import { TokenBucket } from '../../core/tokenBucket.js';

/** The server's connection limits (docs/deploy.md, "Connection limits"). */
export interface ConnectionLimits {
  /** Open connections one client address may hold on this node. */
  perAddress: number;
  /** New connections one address may open: a burst, then this many a second. */
  newPerAddressPerSecond: number;
  newPerAddressBurst: number;
  /** New connections this node accepts from everyone: a burst, then this many a second. */
  newPerSecond: number;
  newBurst: number;
}

export type GateAnswer = { ok: true; release: () => void } | { ok: false; retryAfterMs: number };

/** Addresses tracked at most; past it the oldest idle ones are forgotten (their buckets were full anyway). */
const MAX_ADDRESSES = 100_000;

/**
 * Admission of new connections before any work is done for them (no WebSocket handshake, no engine.io session):
 * open connections per address, new connections per address and per node. A refusal carries how long to wait.
 * Loopback peers are held only to the node's rate: they are local tools, or a reverse proxy that was not declared
 * trusted, behind which every visitor would share one address.
 */
export class ConnectionGate {
  private readonly node: TokenBucket;
  private readonly open = new Map<string, number>();
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.node = new TokenBucket(limits.newBurst, limits.newPerSecond, now());
  }

  admit(address: string | undefined): GateAnswer {
    const now = this.now();
    const limited = address !== undefined && !isLoopback(address);
    if (limited && (this.open.get(address) ?? 0) >= this.limits.perAddress) {
      return { ok: false, retryAfterMs: 1000 };
    }
    if (limited) {
      const taken = this.bucketOf(address, now).take(now);
      if (!taken.ok) return { ok: false, retryAfterMs: taken.retryAfterMs };
    }
    const node = this.node.take(now);
    if (!node.ok) return { ok: false, retryAfterMs: node.retryAfterMs };
    if (!limited) return { ok: true, release: () => {} };
    this.open.set(address, (this.open.get(address) ?? 0) + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.open.get(address) ?? 1) - 1;
        if (left > 0) this.open.set(address, left);
        else this.open.delete(address);
      },
    };
  }

  /** Addresses with open connections (for tests and metrics). */
  get addresses(): number {
    return this.open.size;
  }

  private bucketOf(address: string, now: number): TokenBucket {
    let bucket = this.buckets.get(address);
    if (!bucket) {
      if (this.buckets.size >= MAX_ADDRESSES) this.forgetIdle(now);
      bucket = new TokenBucket(this.limits.newPerAddressBurst, this.limits.newPerAddressPerSecond, now);
      this.buckets.set(address, bucket);
    }
    return bucket;
  }

  private forgetIdle(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.isIdle(now)) this.buckets.delete(key);
    }
    // All busy (a flood of distinct addresses): drop the oldest half rather than grow without bound.
    if (this.buckets.size >= MAX_ADDRESSES) {
      let drop = Math.floor(MAX_ADDRESSES / 2);
      for (const key of this.buckets.keys()) {
        if (drop-- <= 0) break;
        this.buckets.delete(key);
      }
    }
  }
}
