import { WEBHOOK_RESPONSE_MAX_BYTES, retryDelay, type RetrySchedule } from '../core/webhooks.js';
import type { EngineContext } from './context.js';
import type { SiteCaller } from './ports/siteCaller.js';
import type { ClaimedDelivery, DeliveryOutcome } from './ports/webhookStore.js';

/** The dispatcher's settings (EngineConfig's `webhook*`). */
export interface DispatchConfig extends RetrySchedule {
  timeoutMs: number;
  /** How long a claim holds; a node killed mid-delivery leaves its claims to others after this. */
  leaseMs: number;
  /** Deliveries in flight on this node at most. */
  concurrency: number;
  /** How often the outbox is looked at without being woken (retries coming due, other nodes' events). */
  pollMs: number;
}

/**
 * Delivers the outbox beside everything else: it claims due deliveries (the head of each endpoint's room
 * queue), posts each through the site caller with bounded concurrency, and records the outcome (delivered; a
 * retry with backoff; dead after the last try). Sends never wait for it: a send only wrote its outbox row.
 */
export class WebhookDispatcher {
  private inFlight = 0;
  private claiming = false;
  /** Woken while claiming: look again as soon as the claim is done. */
  private again = false;
  private stopped = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly ctx: EngineContext,
    private readonly caller: SiteCaller,
    private readonly config: DispatchConfig,
  ) {
    this.timer = setInterval(() => this.wake(), config.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Looks for due deliveries now. */
  wake(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.again = true;
      return;
    }
    void this.pump();
  }

  /**
   * Stops claiming. Deliveries in flight are not waited for: their outcome is not recorded, and their claims
   * run out so that they are tried again (at least once).
   */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private async pump(): Promise<void> {
    const room = this.config.concurrency - this.inFlight;
    if (room <= 0) return;
    this.claiming = true;
    this.again = false;
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
    } finally {
      this.claiming = false;
    }
    if (this.stopped) return;
    for (const delivery of claimed) {
      this.inFlight += 1;
      void this.deliver(delivery).finally(() => {
        this.inFlight -= 1;
        this.wake();
      });
    }
    if (this.again || claimed.length === room) this.wake();
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
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
    if (this.stopped) return;
    const now = this.ctx.clock.now();
    let outcome: DeliveryOutcome;
    if (result.ok && result.status >= 200 && result.status < 300) {
      outcome = { status: 'delivered', httpStatus: result.status, at: now };
    } else {
      const failure = result.ok ? 'status' : result.failure;
      const httpStatus = result.status ?? null;
      outcome =
        delivery.attempts >= this.config.maxAttempts
          ? { status: 'dead', httpStatus, failure, nextAttemptAt: null }
          : {
              status: 'failed-retrying',
              httpStatus,
              failure,
              nextAttemptAt: now + retryDelay(this.config, delivery.attempts, Math.random()),
            };
    }
    try {
      await this.ctx.track(this.ctx.store.webhooks.finish(delivery.id, this.ctx.nodeId, outcome));
    } catch (err) {
      // The claim runs out and the delivery is tried again: at least once.
      this.ctx.logger.warn({ err, delivery: delivery.id }, 'recording a webhook delivery failed');
    }
  }
}
