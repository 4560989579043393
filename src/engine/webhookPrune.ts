import { setTimeout as pause } from 'node:timers/promises';
import { DAY_MS } from '../core/dataProtection.js';
import type { EngineContext } from './context.js';
import { LeasedPass } from './leasedPass.js';

/** The lease that makes one node of the cluster prune the delivery log at a time. */
export const WEBHOOK_PRUNE_LEASE = 'webhook-prune';
/** Delivered rows removed per transaction: a short write beside the message appends. */
export const WEBHOOK_PRUNE_BATCH = 1000;

/** The lease is held this long after the last batch: the cluster prunes at most once in this time. */
export const WEBHOOK_PRUNE_LEASE_MS = 10 * 60_000;

export interface WebhookPruneOptions {
  /** Days a delivered delivery stays in the log (`engine.webhookKeepDeliveredDays`). */
  keepDays: number;
  /** The lease's length (default WEBHOOK_PRUNE_LEASE_MS). */
  leaseMs?: number;
  /** Rows per transaction (default WEBHOOK_PRUNE_BATCH). */
  batch?: number;
  /** At most this many batches per sweep; what is left waits for the next (default 100). */
  maxBatches?: number;
  /** The pause between two batches, so that sends are served meanwhile (default 10 ms). */
  pauseMs?: number;
}

/**
 * Removes delivered webhook deliveries older than `keepDays` from the outbox, in bounded batches, by one node
 * of the cluster at a time (the one that takes the lease, as retention does). Dead and unfinished deliveries are
 * kept: they are what an operator looks at, and what redeliver works on.
 */
export class WebhookPrune extends LeasedPass<number> {
  /** The bounds in force; a deployment (or a test) may narrow them on a running node. */
  readonly settings: Required<WebhookPruneOptions>;

  constructor(ctx: EngineContext, opts: WebhookPruneOptions) {
    super(ctx, WEBHOOK_PRUNE_LEASE);
    this.settings = {
      ...{ batch: WEBHOOK_PRUNE_BATCH, maxBatches: 100, pauseMs: 10, leaseMs: WEBHOOK_PRUNE_LEASE_MS },
      ...opts,
    };
  }

  protected leaseMs(): number {
    return this.settings.leaseMs;
  }

  /** Answers how many deliveries went (0 when another node holds the lease). */
  protected async run(): Promise<number> {
    const { batch, maxBatches, pauseMs, keepDays } = this.settings;
    if (!(await this.lease())) return 0;
    const before = this.ctx.clock.now() - keepDays * DAY_MS;
    let pruned = 0;
    for (let batches = 0; batches < maxBatches && !this.stopped; batches++) {
      const removed = await this.ctx.store.webhooks.pruneDelivered(before, batch);
      pruned += removed;
      if (removed < batch) break;
      await pause(pauseMs);
      // Renewed between batches: a long prune keeps it, and a node that lost it stops.
      if (!(await this.lease())) break;
    }
    if (pruned > 0) this.ctx.logger.info({ pruned }, 'pruned delivered webhook deliveries');
    return pruned;
  }
}
