import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { ParleyError } from '../core/errors.js';
import { storageUnavailable } from '../core/failures.js';
import type { Store, WalStats } from './ports/store.js';

/** What /readyz and the metrics show of storage (EngineAdmin.storageHealth). */
export interface StorageHealthView {
  healthy: boolean;
  /** Why storage was marked unhealthy (the driver's error text); null while healthy. */
  reason: string | null;
  /** When the current state began (ms since the epoch). */
  since: number;
  /** Times storage went from healthy to unhealthy since the start. */
  outages: number;
  /** The SQLite WAL and its checkpoints; null for PostgreSQL. */
  wal: WalStats | null;
}

export interface StorageHealthOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** The first probe after a fault comes at once, the next after this, then twice as long each time. */
  probeMs: number;
}

/** Backoff between probes stops growing at this multiple of probeMs. */
export const MAX_BACKOFF_FACTOR = 8;
/** While healthy, a probe every this many probeMs finds a fault even when nothing else writes. */
export const HEALTHY_PROBE_FACTOR = 20;

function isUnavailable(err: unknown): err is ParleyError {
  return err instanceof ParleyError && err.code === 'unavailable';
}

/** The driver's own words: a catalogue error's cause, else the error itself. */
function causeText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause: unknown = err instanceof ParleyError ? err.cause : undefined;
  return cause instanceof Error ? cause.message : err.message;
}

/**
 * Whether storage can commit. Any store call that fails with `unavailable` (disk full, read-only, a lock held
 * elsewhere, PostgreSQL lost) marks it unhealthy; from then on a probe (a write that changes nothing) retries
 * with backoff, and its first success marks it healthy again, so the node recovers without a restart. While
 * unhealthy, /readyz answers 503 and message writes are refused at once (see watchedStore), instead of each
 * waiting for a lock or a connection that is not coming.
 */
export class StorageHealth {
  private healthy = true;
  private reason: string | null = null;
  private since: number;
  private outages = 0;
  private failedProbes = 0;
  private timer: NodeJS.Timeout | null = null;
  private probing = false;
  private stopped = false;

  constructor(private readonly opts: StorageHealthOptions) {
    this.since = opts.clock.now();
    this.schedule(opts.probeMs * HEALTHY_PROBE_FACTOR);
  }

  /** Reports the outcome of a store call that failed; only `unavailable` says anything about health. */
  observe(err: unknown): void {
    if (this.stopped || !isUnavailable(err)) return;
    this.markUnhealthy(causeText(err));
  }

  /** Throws `unavailable` while storage is unhealthy. */
  assertHealthy(): void {
    if (!this.healthy) throw storageUnavailable();
  }

  view(): StorageHealthView {
    return {
      healthy: this.healthy,
      reason: this.reason,
      since: this.since,
      outages: this.outages,
      wal: this.opts.store.walStats?.() ?? null,
    };
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private markUnhealthy(reason: string): void {
    this.reason = reason;
    if (!this.healthy) return;
    this.healthy = false;
    this.since = this.opts.clock.now();
    this.outages += 1;
    this.failedProbes = 0;
    this.opts.logger.error({ reason }, 'storage unavailable: refusing writes until a probe succeeds');
    this.schedule(0);
  }

  private markHealthy(): void {
    const downMs = this.opts.clock.now() - this.since;
    this.healthy = true;
    this.reason = null;
    this.since = this.opts.clock.now();
    this.opts.logger.info({ downMs }, 'storage available again');
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.probe();
    }, delayMs);
    this.timer.unref();
  }

  private nextDelay(): number {
    const { probeMs } = this.opts;
    if (this.healthy) return probeMs * HEALTHY_PROBE_FACTOR;
    return probeMs * Math.min(MAX_BACKOFF_FACTOR, 2 ** Math.max(0, this.failedProbes - 1));
  }

  private async probe(): Promise<void> {
    if (this.probing || this.stopped) return;
    this.probing = true;
    try {
      const store = this.opts.store;
      await (store.probeWrite ? store.probeWrite() : store.ping());
      if (!this.healthy && !this.stopped) this.markHealthy();
    } catch (err) {
      // A probe that fails for another reason than `unavailable` is a bug, but still not a healthy store.
      if (!this.stopped) this.markUnhealthy(causeText(err));
      this.failedProbes += 1;
    } finally {
      this.probing = false;
      this.schedule(this.nextDelay());
    }
  }
}

/** MessageLog writes are refused at once while storage is unhealthy; reads still go to the store. */
const GUARDED_WRITES = new Set(['append', 'edit', 'remove']);
/** Reaction writes are refused at once too; reading them back still goes to the store. */
const REACTION_WRITES = new Set(['add', 'remove']);

function watched<T extends object>(target: T, health: StorageHealth, guarded: ReadonlySet<string>): T {
  // Each method is wrapped once, on first use: the message path (append) must not pay a closure per call.
  const wrappers = new Map<PropertyKey, (...args: unknown[]) => unknown>();
  const wrap = (key: PropertyKey, method: (...args: unknown[]) => unknown) => {
    const check = typeof key === 'string' && guarded.has(key);
    return (...args: unknown[]): unknown => {
      if (check) {
        try {
          health.assertHealthy();
        } catch (err) {
          return Promise.reject(err);
        }
      }
      const result: unknown = Reflect.apply(method, target, args);
      if (!(result instanceof Promise)) return result;
      return result.catch((err: unknown) => {
        health.observe(err);
        throw err;
      });
    };
  };
  return new Proxy(target, {
    get(object, key, receiver) {
      const value: unknown = Reflect.get(object, key, receiver);
      if (typeof value !== 'function') return value;
      let wrapper = wrappers.get(key);
      if (!wrapper) {
        wrapper = wrap(key, value as (...args: unknown[]) => unknown);
        wrappers.set(key, wrapper);
      }
      return wrapper;
    },
  });
}

/** The store as the engine uses it: every failure reported to `health`, message writes gated by it. */
export function watchedStore(store: Store, health: StorageHealth): Store {
  return {
    ...store,
    directory: watched(store.directory, health, new Set()),
    messages: watched(store.messages, health, GUARDED_WRITES),
    guests: watched(store.guests, health, new Set()),
    replies: watched(store.replies, health, new Set()),
    pins: watched(store.pins, health, new Set()),
    reactions: watched(store.reactions, health, REACTION_WRITES),
    reads: watched(store.reads, health, new Set()),
    search: watched(store.search, health, new Set()),
    dms: watched(store.dms, health, new Set()),
    profiles: watched(store.profiles, health, new Set()),
    tokens: watched(store.tokens, health, new Set()),
    audit: watched(store.audit, health, new Set()),
    reports: watched(store.reports, health, new Set()),
    strikes: watched(store.strikes, health, new Set()),
    linkPreviews: watched(store.linkPreviews, health, new Set()),
    attachments: watched(store.attachments, health, new Set()),
    bots: watched(store.bots, health, new Set()),
  };
}
