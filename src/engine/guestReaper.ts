import { setImmediate as nextTurn } from 'node:timers/promises';
import { guestLimit } from '../core/failures.js';
import type { Principal } from '../core/identity.js';
import type { App, AppId, UserId, UserRef } from '../core/types.js';
import type { EngineContext } from './context.js';
import { GuestCountEstimate, RecentGuestMarks } from './guestMarks.js';

/** What the reaper asks of the other parts. */
export interface GuestReaperParts {
  /** Whether the user is connected anywhere in the cluster. */
  isOnline(appId: AppId, userId: UserId): boolean;
  /** Who is connected to the app across the cluster (the guests among them are marked seen). */
  onlineUsers(appId: AppId): readonly UserRef[];
  /** How many users are connected to the app across the cluster. */
  onlineCount(appId: AppId): number;
  listApps(): Promise<App[]>;
}

/** Guests removed (or marked seen) per statement: a big purge never holds the store or the event loop long. */
export const GUEST_BATCH = 500;
/** At most this many batches per app and sweep; what is left waits for the next sweep. */
const MAX_BATCHES_PER_SWEEP = 100;
/**
 * A guest seen this recently is never removed to make room for a new one: it may have signed in a moment ago
 * and not yet opened its session (so it is not online yet).
 */
export const GUEST_EVICTION_GRACE_MS = 60_000;

const HOUR_MS = 3_600_000;

/**
 * Unused guest identities, removed: every nickname makes a user row, so without this a nickname flood would
 * grow the database without bound. A guest is unused when it is not connected anywhere in the cluster, has no
 * ban or mute in force, its role was never raised, and it was last seen (signed in, or found connected by a
 * sweep of any node) longer ago than the app's retention. The retention is never shorter than the guest token's
 * lifetime, so a resume token that is still valid never points at a removed user. An app also keeps at most
 * `maxGuests` guests: a new guest past it first removes the least recently seen unused ones, and is refused
 * with `guest_limit` when none can go. A removed guest's messages keep the name they were written under.
 */
export class GuestReaper {
  /** New guests of one app are admitted one at a time on this node, so that the count holds. */
  private readonly admissions = new Map<AppId, Promise<unknown>>();
  private readonly marks = new RecentGuestMarks();
  private readonly counts = new GuestCountEstimate();
  private sweeping: Promise<number> | null = null;
  private stopped = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly parts: GuestReaperParts,
  ) {}

  /** How long an unused guest of the app is kept after it was last seen. */
  retentionMs(app: App): number {
    return Math.max(app.settings.guestRetentionHours * HOUR_MS, this.ctx.config.guestTokenTtlSeconds * 1000);
  }

  /**
   * Marks a guest seen (it signed in or renewed its token); false when its row is gone. A guest this node
   * created or marked in the last SEEN_REFRESH_MS is not written again (guestMarks.ts says why that is safe).
   */
  async seen(appId: AppId, userId: UserId): Promise<boolean> {
    const now = this.ctx.clock.now();
    if (this.marks.fresh(appId, userId, now)) return true;
    const found = (await this.ctx.store.guests.markSeen(appId, [userId], now)) > 0;
    if (found) this.marks.note(appId, userId, now);
    return found;
  }

  /**
   * Runs `create` (which makes the app's new guest) once the app has room for it, one new guest of the app at a
   * time. Fails with `guest_limit` when the app is full and no guest can be removed.
   */
  admit(app: App, create: () => Promise<Principal>): Promise<Principal> {
    const before = this.admissions.get(app.id) ?? Promise.resolve();
    const turn = before.then(async () => {
      await this.makeRoom(app);
      // Created just now: its created_at counts as seen until the first real mark.
      const created = await create();
      this.counts.created(app.id);
      this.marks.note(app.id, created.user.id, this.ctx.clock.now());
      return created;
    });
    const settled = turn.then(
      () => undefined,
      () => undefined,
    );
    this.admissions.set(app.id, settled);
    void settled.then(() => {
      if (this.admissions.get(app.id) === settled) this.admissions.delete(app.id);
    });
    return turn;
  }

  private async makeRoom(app: App): Promise<void> {
    const max = app.settings.maxGuests;
    const now = this.ctx.clock.now();
    // The estimate is only used below the limit; at it (and once a second) the store counts.
    let count = this.counts.get(app.id, now, max);
    if (count === null) {
      count = await this.ctx.store.guests.count(app.id);
      this.counts.set(app.id, count, now);
    }
    const excess = count - max + 1;
    if (excess <= 0) return;
    const removed = await this.removeUnused(
      app.id,
      { seenBefore: now - GUEST_EVICTION_GRACE_MS, now },
      excess,
    );
    this.counts.set(app.id, count - removed, now);
    if (removed < excess) throw guestLimit(max);
  }

  /**
   * The periodic pass over every app: guests connected anywhere are marked seen (so that every node knows them
   * in use), then those unused for the retention are removed. Answers how many were removed.
   */
  sweep(): Promise<number> {
    this.sweeping ??= this.ctx.track(this.sweepApps()).finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  stop(): void {
    this.stopped = true;
  }

  private async sweepApps(): Promise<number> {
    let removed = 0;
    for (const app of await this.parts.listApps()) {
      if (this.stopped) break;
      const now = this.ctx.clock.now();
      await this.markOnlineSeen(app.id, now);
      const seenBefore = now - this.retentionMs(app);
      removed += await this.removeUnused(app.id, { seenBefore, now }, GUEST_BATCH * MAX_BATCHES_PER_SWEEP);
    }
    if (removed > 0) this.ctx.logger.info({ removed }, 'removed unused guests');
    return removed;
  }

  private async markOnlineSeen(appId: AppId, now: number): Promise<void> {
    const ids = this.parts.onlineUsers(appId).map((user) => user.id);
    for (let i = 0; i < ids.length && !this.stopped; i += GUEST_BATCH) {
      await this.ctx.store.guests.markSeen(appId, ids.slice(i, i + GUEST_BATCH), now);
    }
  }

  /** Removes up to `wanted` removable guests that are not online, least recently seen first, batch by batch. */
  private async removeUnused(
    appId: AppId,
    rule: { seenBefore: number; now: number },
    wanted: number,
  ): Promise<number> {
    const guests = this.ctx.store.guests;
    // Online guests may still be listed (seen longer ago than the rule) and are skipped: ask for enough more.
    const online = this.parts.onlineCount(appId);
    let removed = 0;
    while (removed < wanted && !this.stopped) {
      const batch = Math.min(GUEST_BATCH, wanted - removed);
      const listed = await guests.listRemovable(appId, { ...rule, limit: batch + online });
      const ids = listed.filter((id) => !this.parts.isOnline(appId, id)).slice(0, batch);
      if (ids.length === 0) break;
      const gone = await guests.remove(appId, ids, rule);
      removed += gone;
      if (gone === 0 || listed.length < batch + online) break;
      // Let connections be served between batches of a big purge.
      await nextTurn();
    }
    return removed;
  }
}
