import type { Webhook, WebhookDelivery } from '../../core/webhooks.js';
import type { AppId, Message } from '../../core/types.js';

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

/** One event for one endpoint, to write to the outbox. */
export interface NewDelivery {
  appId: AppId;
  webhookId: number;
  /** The event's id, the same for every endpoint it goes to (`Parley-Event-Id`). */
  eventId: string;
  type: string;
  /** Deliveries with the same key go out in order: `room:<id>`, or `app` for events of no room. */
  orderKey: string;
  /** The JSON body, as it will be signed and sent. */
  body: string;
  createdAt: number;
}

/**
 * The outbox rows of a message change, made from the message as the transaction wrote it (its seq is known only
 * there). The store calls it inside the transaction of append, edit or remove and inserts what it answers
 * before committing: the change and its events commit together or not at all.
 */
export type MessageOutbox = (message: Message) => readonly NewDelivery[];

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
  /** Records a try's outcome, if `node` still holds the claim (false otherwise: another node took it over). */
  finish(id: number, node: string, outcome: DeliveryOutcome): Promise<boolean>;
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
}
