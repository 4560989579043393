import { WEBHOOK_RESPONSE_MAX_BYTES, retryDelay, type RetrySchedule } from '../core/webhooks.js';
import type { EngineContext } from './context.js';
import type { SiteCaller } from './ports/siteCaller.js';
import type { EngineConfig } from './config.js';
import { WebhookPrune } from './webhookPrune.js';
import type { ClaimedDelivery, DeliveryOutcome, FinishedDelivery } from './ports/webhookStore.js';

/** The dispatcher's settings (EngineConfig's `webhook*`). */
export interface DispatchConfig extends RetrySchedule {
  timeoutMs: number;
  /** How long a claim holds; a node killed mid-delivery leaves its claims to others after this. */
  leaseMs: number;
  /** Deliveries in flight on this node at most. */
  concurrency: number;
  /** How often the outbox is looked at without being woken (retries coming due, other nodes' events). */
  pollMs: number;
  /** Days a delivered delivery stays in the log before the prune removes it. */
  keepDeliveredDays: number;
}

/**
 * Outcomes are recorded together: once this many are waiting, or BATCH_MS after the first came in. Each
 * recording is one write transaction, followed by one claim: per delivery that was two, and at thousands of
 * messages per second they took the write lock from the message appends.
 */
export const BATCH_OUTCOMES = 32;
export const BATCH_MS = 5;

/** The dispatcher's settings from the engine's. */
export function dispatchConfigOf(c: EngineConfig): DispatchConfig {
  return {
    ...{ maxAttempts: c.webhookMaxAttempts, baseDelayMs: c.webhookRetryBaseMs, maxDelayMs: 3_600_000 },
    ...{ timeoutMs: c.webhookTimeoutMs, leaseMs: c.webhookLeaseMs, concurrency: c.webhookConcurrency },
    ...{ pollMs: c.webhookPollMs, keepDeliveredDays: c.webhookKeepDeliveredDays },
  };
}

/**
 * Delivers the outbox beside everything else: it claims due deliveries (the head of each endpoint's room
 * queue), posts each through the site caller with bounded concurrency, and records the outcomes (delivered; a
 * retry with backoff; dead after the last try). Sends never wait for it: a send only wrote its outbox row.
 *
 * One cycle at a time records the outcomes gathered so far (one transaction) and then claims the heads that
 * are due, as many as there is room for (one more). A cycle runs BATCH_MS after it is asked for (a queued
 * event, a finished try), at once when BATCH_OUTCOMES outcomes wait or at a poll: wakes that come while one is
 * waiting or running are folded into it, so the outbox is looked at a few hundred times a second at most,
 * however many messages are sent.
 */
export class WebhookDispatcher {
  private inFlight = 0;
  private finished: FinishedDelivery[] = [];
  /** Something may have become due since the last claim (a queued event, a queue that moved on, a poll). */
  private wanted = true;
  private running = false;
  /** Asked for while running: run again when done. */
  private again = false;
  private next: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly timer: NodeJS.Timeout;
  /** The delivery log's prune (a chore of the engine's sweeper). */
  readonly prune: WebhookPrune;

  constructor(
    private readonly ctx: EngineContext,
    private readonly caller: SiteCaller,
    private readonly config: DispatchConfig,
  ) {
    this.timer = setInterval(() => {
      this.wanted = true;
      this.schedule(0);
    }, config.pollMs);
    this.timer.unref();
    this.prune = new WebhookPrune(ctx, { keepDays: config.keepDeliveredDays });
    this.schedule(0);
  }

  /** Looks for due deliveries soon (within BATCH_MS). */
  wake(): void {
    this.wanted = true;
    this.schedule(BATCH_MS);
  }

  /**
   * Stops claiming. Deliveries in flight and outcomes not yet recorded are not waited for: their claims run out
   * and they are tried again (at least once).
   */
  stop(): void {
    this.stopped = true;
    this.prune.stop();
    clearInterval(this.timer);
    if (this.next) clearTimeout(this.next);
    this.next = null;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.next) {
      if (delayMs > 0) return;
      clearTimeout(this.next);
    }
    this.next = setTimeout(() => {
      this.next = null;
      void this.cycle();
    }, delayMs);
    this.next.unref();
  }

  private async cycle(): Promise<void> {
    this.running = true;
    this.again = false;
    try {
      await this.record();
      await this.claim();
    } finally {
      this.running = false;
    }
    if (this.again || this.finished.length > 0)
      this.schedule(this.finished.length >= BATCH_OUTCOMES ? 0 : BATCH_MS);
  }

  private async record(): Promise<void> {
    const batch = this.finished;
    if (batch.length === 0) return;
    this.finished = [];
    // A queue moved on: its next delivery may be a head now.
    this.wanted = true;
    try {
      await this.ctx.track(this.ctx.store.webhooks.finish(this.ctx.nodeId, batch));
    } catch (err) {
      // The claims run out and the deliveries are tried again: at least once.
      if (!this.stopped)
        this.ctx.logger.warn({ err, deliveries: batch.length }, 'recording webhook deliveries failed');
    }
  }

  private async claim(): Promise<void> {
    const room = this.config.concurrency - this.inFlight;
    if (this.stopped || !this.wanted || room <= 0) return;
    this.wanted = false;
    let claimed: ClaimedDelivery[] = [];
    try {
      // The lease outlasts a try's timeout, so that a live node's claim is not taken over mid-try.
      const leaseMs = Math.max(this.config.leaseMs, this.config.timeoutMs * 2);
      claimed = await this.ctx.store.webhooks.claim({
        node: this.ctx.nodeId,
        now: this.ctx.clock.now(),
        leaseMs,
        limit: room,
      });
    } catch (err) {
      // A claim racing the node's stop meets a closed store: nothing to report then.
      if (!this.stopped) this.ctx.logger.warn({ err }, 'claiming webhook deliveries failed');
    }
    if (this.stopped) return;
    // Room for no more: there may be more due heads, claimed as soon as tries finish.
    if (claimed.length === room) this.wanted = true;
    for (const delivery of claimed) {
      this.inFlight += 1;
      void this.deliver(delivery).then(
        (outcome) => {
          this.inFlight -= 1;
          if (this.stopped) return;
          this.finished.push({ id: delivery.id, outcome });
          this.schedule(this.finished.length >= BATCH_OUTCOMES ? 0 : BATCH_MS);
        },
        (err: unknown) => {
          // Not recorded: the claim runs out and the delivery is tried again.
          this.inFlight -= 1;
          this.ctx.logger.warn({ err, delivery: delivery.id }, 'a webhook delivery failed unexpectedly');
        },
      );
    }
  }

  private async deliver(delivery: ClaimedDelivery): Promise<DeliveryOutcome> {
    const result = await this.caller.post(
      {
        url: delivery.url,
        secret: delivery.secret,
        eventId: delivery.eventId,
        body: delivery.body,
        timeoutMs: this.config.timeoutMs,
        maxResponseBytes: WEBHOOK_RESPONSE_MAX_BYTES,
      },
      this.ctx.clock.now(),
    );
    const now = this.ctx.clock.now();
    if (result.ok && result.status >= 200 && result.status < 300) {
      return { status: 'delivered', httpStatus: result.status, at: now };
    }
    const failure = result.ok ? 'status' : result.failure;
    const httpStatus = result.status ?? null;
    return delivery.attempts >= this.config.maxAttempts
      ? { status: 'dead', httpStatus, failure, nextAttemptAt: null }
      : {
          status: 'failed-retrying',
          httpStatus,
          failure,
          nextAttemptAt: now + retryDelay(this.config, delivery.attempts, Math.random()),
        };
  }
}
