import type { Webhook, WebhookDelivery } from '../../core/webhooks.js';
import type { AppId } from '../../core/types.js';

/**
 * Outgoing webhooks in the store (`store.webhooks`): the endpoints of each app and the outbox of deliveries,
 * one row per event and endpoint. Deliveries of one endpoint with the same `orderKey` (a room) are handed out
 * strictly in the order they were written, one at a time: a later one waits until the earlier is delivered or
 * dead (docs/webhooks.md, "Ordering").
 */
export interface NewWebhook {
  appId: AppId;
  url: string;
  secret: string;
  events: string[];
  enabled: boolean;
  now: number;
}

export interface WebhookPatch {
  url?: string;
  secret?: string;
  events?: string[];
  enabled?: boolean;
}

export type { NewDelivery } from '../../core/messageOutbox.js';
import type { MessageOutboxSpec, NewDelivery } from '../../core/messageOutbox.js';

/**
 * The webhook events of a message change, as data (core/messageOutbox.ts): the store turns it into outbox rows
 * with `messageDeliveries` from the message as its transaction wrote it (the seq is known only there), inside
 * the transaction of append, edit or remove, and inserts them before committing: the change and its events
 * commit together or not at all. Data rather than a callback so that it can reach a writer in another thread.
 */
export type MessageOutbox = MessageOutboxSpec;

/**
 * The outbox rows of a change that is not a message's, made from what the transaction wrote (a reaction's count,
 * a report's queue entry, a moderation record with its id, a new user). The store calls it inside the change's
 * transaction, only when something changed, and inserts what it answers before committing.
 */
export type EventOutbox<T> = (row: T) => readonly NewDelivery[];

export type Delivery = WebhookDelivery;

/** A delivery claimed by a node for one try, with what it needs to send it. */
export interface ClaimedDelivery extends Delivery {
  body: string;
  url: string;
  secret: string;
}

/** What one try came to. */
export type DeliveryOutcome =
  | { status: 'delivered'; httpStatus: number; at: number }
  | {
      status: 'failed-retrying' | 'dead';
      httpStatus: number | null;
      failure: string;
      nextAttemptAt: number | null;
    };

/** A try's outcome to record. */
export interface FinishedDelivery {
  id: number;
  outcome: DeliveryOutcome;
}

export interface WebhookStore {
  create(input: NewWebhook): Promise<Webhook>;
  list(appId: AppId): Promise<Webhook[]>;
  get(appId: AppId, id: number): Promise<Webhook | null>;
  /** `not_found` when the app has no such endpoint. */
  update(appId: AppId, id: number, patch: WebhookPatch, now: number): Promise<Webhook>;
  /** Removes the endpoint and its deliveries; false when there was none. */
  remove(appId: AppId, id: number): Promise<boolean>;
  /** Writes deliveries in their own transaction (events tied to no stored change: room presence). */
  enqueue(deliveries: readonly NewDelivery[]): Promise<void>;
  /**
   * Claims up to `limit` deliveries due at `now` for `node` until `now + leaseMs`: each the oldest unfinished of
   * its endpoint and key, not claimed by a node whose lease still runs. Across nodes a delivery is claimed by one
   * (PostgreSQL: FOR UPDATE SKIP LOCKED); a node that dies leaves its claims to be taken when the lease ends.
   * `attempts` is counted up by the claim.
   */
  claim(opts: { node: string; now: number; leaseMs: number; limit: number }): Promise<ClaimedDelivery[]>;
  /**
   * Records the outcomes of tries together (one transaction), each only if `node` still holds its claim; answers
   * the ids recorded, ascending (one missing: another node took it over after the lease ran out).
   */
  finish(node: string, finished: readonly FinishedDelivery[]): Promise<number[]>;
  /** An endpoint's deliveries, newest first, `limit` of them before the id `beforeId`. */
  deliveries(
    appId: AppId,
    webhookId: number,
    opts: { limit: number; beforeId?: number },
  ): Promise<Delivery[]>;
  /**
   * Queues the delivery again as a new one (same event id and body, tries from zero), after everything queued
   * so far. `not_found` when the endpoint has no such delivery.
   */
  redeliver(appId: AppId, webhookId: number, deliveryId: number, now: number): Promise<Delivery>;
  /** Deliveries not yet delivered or dead, all endpoints together (a gauge). */
  backlog(): Promise<number>;
  /** Removes up to `limit` delivered deliveries delivered before `before`, oldest first; answers how many. */
  pruneDelivered(before: number, limit: number): Promise<number>;
}
