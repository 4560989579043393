import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { AppId, UserId } from '../core/types.js';
import type { EngineConfig } from './config.js';
import type { EngineMetrics } from './ports/metrics.js';
import type { Store } from './ports/store.js';

/** What every part of the engine is given: the node's identity, its ports and its settings. */
export interface EngineContext {
  readonly nodeId: string;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: EngineMetrics;
  readonly config: EngineConfig;
  /** Counts a write until it settles, so that shutdown can wait for it. */
  track<T>(promise: Promise<T>): Promise<T>;
}

/** The writes in flight, so that a graceful stop finishes them before storage closes. */
export class PendingWrites {
  private readonly inflight = new Set<Promise<unknown>>();

  track<T>(promise: Promise<T>): Promise<T> {
    this.inflight.add(promise);
    const forget = () => this.inflight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** Writes started and not yet settled. */
  get size(): number {
    return this.inflight.size;
  }

  async settled(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }
}

/** The key of one user of one app in the engine's maps (user ids are per store, apps share a store). */
export function userKey(appId: AppId, userId: UserId): string {
  return `${appId}:${userId}`;
}

export function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}

export function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
