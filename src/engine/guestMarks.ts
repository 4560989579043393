/**
 * What the guest reaper remembers between sign-ins, so that signing a guest in is not a write and a scan of the
 * store every time: which guests this node marked seen lately, and about how many guests an app has.
 */
import type { AppId, UserId } from '../core/types.js';

/**
 * A guest marked seen this recently is not marked again on its next sign-in. Half the eviction grace: its
 * stored `last_seen_at` is then never older than the grace while the mark is skipped, so no node can remove
 * it to make room for a new guest, and the retention (hours) is further still.
 */
export const SEEN_REFRESH_MS = 30_000;

/**
 * The guests marked seen (or created) in the last one or two refresh windows, in two maps swapped once per
 * window: what it holds is bounded by the sign-ins of two windows, with no timer to stop.
 */
export class RecentGuestMarks {
  private current = new Map<string, number>();
  private previous = new Map<string, number>();
  private swappedAt = -Infinity;

  /** Whether the guest was marked at most SEEN_REFRESH_MS before `now`. */
  fresh(appId: AppId, userId: UserId, now: number): boolean {
    this.swapIfDue(now);
    const key = `${appId}:${userId}`;
    const at = this.current.get(key) ?? this.previous.get(key);
    return at !== undefined && now - at < SEEN_REFRESH_MS;
  }

  note(appId: AppId, userId: UserId, now: number): void {
    this.swapIfDue(now);
    this.current.set(`${appId}:${userId}`, now);
  }

  private swapIfDue(now: number): void {
    if (now - this.swappedAt < SEEN_REFRESH_MS) return;
    // Everything in `previous` is now older than a window: only `current` can still be fresh.
    this.previous = now - this.swappedAt < 2 * SEEN_REFRESH_MS ? this.current : new Map();
    this.current = new Map();
    this.swappedAt = now;
  }
}

/** How long a counted number of an app's guests is trusted before the store counts again. */
export const GUEST_COUNT_TTL_MS = 1000;

/**
 * An app's guest count without a scan per new guest: the store's count, plus the guests this node created
 * since, counted again once it is a second old or would reach the limit. Removals are not subtracted, so
 * on one node the estimate is never under the truth and the limit stays exact; other nodes' new guests are seen
 * at the next count, at most a second later.
 */
export class GuestCountEstimate {
  private readonly counted = new Map<AppId, { count: number; at: number }>();

  /** The estimate, or null when the store has to count (none yet, too old, or at the limit). */
  get(appId: AppId, now: number, max: number): number | null {
    const known = this.counted.get(appId);
    if (!known || now - known.at >= GUEST_COUNT_TTL_MS || known.count + 1 > max) return null;
    return known.count;
  }

  set(appId: AppId, count: number, now: number): void {
    this.counted.set(appId, { count, at: now });
  }

  /** One more guest of the app, created by this node. */
  created(appId: AppId): void {
    const known = this.counted.get(appId);
    if (known) known.count += 1;
  }
}
