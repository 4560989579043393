import { setTimeout as pause } from 'node:timers/promises';
import { DAY_MS, RETENTION_BATCH } from '../core/dataProtection.js';
import type { App, AppId, MessageId, Room } from '../core/types.js';
import type { EngineContext } from './context.js';
import { LeasedPass } from './leasedPass.js';

/** The lease that makes one node of the cluster purge at a time (ports/dataProtectionStore.ts takeLease). */
export const RETENTION_LEASE = 'retention';

/** What retention asks of the other parts. */
export interface RetentionParts {
  listApps(): Promise<App[]>;
  listRooms(appId: AppId): Promise<Room[]>;
  /** The files of purged messages must go (the attachments part's hook; see dataProtection.ts). */
  removeMessageFiles(appId: AppId, messageIds: readonly MessageId[]): Promise<void>;
}

export interface RetentionOptions {
  /** Messages per transaction (default RETENTION_BATCH). */
  batch?: number;
  /** The pause between two batches, so that sends are served meanwhile (default 10 ms). */
  pauseMs?: number;
  /** How long the lease is held after the last batch: the cluster purges at most once in this time. */
  leaseMs: number;
  /** At most this many batches per sweep; what is left waits for the next. */
  maxBatches?: number;
}

/** What one sweep did: whether this node held the lease, how many messages went, in how many batches. */
export interface RetentionSweep {
  ran: boolean;
  purged: number;
  batches: number;
}

/** The days a room keeps its messages: its own setting, else the app's; null: forever. */
export function retentionDaysOf(app: App, room: Room): number | null {
  return room.retentionDays === undefined ? app.settings.retentionDays : room.retentionDays;
}

/**
 * Messages older than their room's retention, removed in bounded batches (one transaction each, a pause
 * between two) by one node of the cluster at a time: the node that takes the lease purges, and keeps the lease
 * for `leaseMs` after its last batch, so that the others skip until then. Purged messages drop out of history
 * without an event (docs/data-protection.md).
 */
export class Retention extends LeasedPass<RetentionSweep> {
  /** Batches done since this node started (tests watch it to see a purge in progress). */
  batchesDone = 0;
  /** The bounds in force; a deployment (or a test) may narrow them on a running node. */
  readonly settings: Required<RetentionOptions>;

  constructor(
    ctx: EngineContext,
    private readonly parts: RetentionParts,
    opts: RetentionOptions,
  ) {
    super(ctx, RETENTION_LEASE);
    this.settings = { batch: RETENTION_BATCH, pauseMs: 10, maxBatches: 1_000, ...opts };
  }

  protected leaseMs(): number {
    return this.settings.leaseMs;
  }

  protected async run(): Promise<RetentionSweep> {
    const result: RetentionSweep = { ran: false, purged: 0, batches: 0 };
    if (!(await this.lease())) return result;
    result.ran = true;
    for (const app of await this.parts.listApps()) {
      for (const room of await this.parts.listRooms(app.id)) {
        const days = retentionDaysOf(app, room);
        if (days === null) continue;
        const before = this.ctx.clock.now() - days * DAY_MS;
        if (!(await this.purgeRoom(app.id, room, before, result))) return this.done(result);
      }
    }
    return this.done(result);
  }

  private done(result: RetentionSweep): RetentionSweep {
    if (result.purged > 0) this.ctx.logger.info(result, 'retention purged old messages');
    return result;
  }

  /** False when the sweep must end here (stopped, out of batches, or the lease lost). */
  private async purgeRoom(
    appId: AppId,
    room: Room,
    before: number,
    result: RetentionSweep,
  ): Promise<boolean> {
    const { batch, pauseMs, maxBatches } = this.settings;
    for (;;) {
      if (this.stopped || result.batches >= maxBatches) return false;
      const ids = await this.ctx.store.dataProtection.purgeRoom(room.id, before, batch);
      if (ids.length === 0) return true;
      result.batches += 1;
      result.purged += ids.length;
      this.batchesDone += 1;
      await this.parts.removeMessageFiles(appId, ids);
      if (ids.length < batch) return true;
      await pause(pauseMs);
      // Renewed between batches: a long purge keeps it, and a node that lost it (paused too long) stops.
      if (!(await this.lease())) return false;
    }
  }
}
