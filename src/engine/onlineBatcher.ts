import type { Clock } from '../core/clock.js';
import type { AppId, UserId, UserRef } from '../core/types.js';
import type { EngineEvent } from './events.js';

export type OnlineChanged = Extract<EngineEvent, { type: 'online_changed' }>;

interface PendingChange {
  user: UserRef;
  present: boolean;
}

/**
 * App-wide presence for those who watch it, coalesced: arrivals and departures are collected per app and told
 * once per window as one `online_changed` event, built once and encoded once per framing however many watch.
 * A storm of N arrivals so costs each watcher one event per window instead of N, and the work is linear in N
 * plus the watchers. Each user who changed within the window is told once, in their state at its end (one who
 * came and went is told offline, a no-op for a watcher who never saw them): so the set a watcher holds, its
 * `watch_online` answer (taken at any moment, mid-window included) with the batches since applied, is exact.
 */
export class OnlineBatcher {
  private readonly pending = new Map<AppId, Map<UserId, PendingChange>>();
  private openedAt = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
    private readonly tell: (appId: AppId, event: OnlineChanged) => void,
  ) {}

  /** The user's cluster-wide presence in the app changed. */
  change(appId: AppId, user: UserRef, present: boolean): void {
    let changes = this.pending.get(appId);
    if (!changes) {
      changes = new Map();
      this.pending.set(appId, changes);
    }
    changes.set(user.id, { user, present });
    if (this.windowMs <= 0) return this.flush();
    if (this.timer) return;
    this.openedAt = this.clock.now();
    this.arm(this.windowMs);
  }

  /**
   * Tells the batch if the window has passed by the clock, else waits for the rest of it. The timer only wakes
   * this up: the clock decides, so that a test holding a fake clock holds the batch.
   */
  tick(): void {
    if (this.pending.size === 0) return;
    const waited = Math.max(0, this.clock.now() - this.openedAt);
    if (waited >= this.windowMs) this.flush();
    else if (!this.timer) this.arm(this.windowMs - waited);
  }

  /** Tells every pending change now, one event per app. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const apps = [...this.pending];
    this.pending.clear();
    for (const [appId, changes] of apps) {
      const online: UserRef[] = [];
      const offline: UserRef[] = [];
      for (const change of changes.values()) {
        (change.present ? online : offline).push(change.user);
      }
      // An app is pending only with a change in it, so the event is never empty.
      this.tell(appId, { type: 'online_changed', online, offline });
    }
  }

  /** Stop: nothing more is told (the sessions are being closed). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick();
    }, ms);
    this.timer.unref();
  }
}
