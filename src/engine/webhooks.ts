import { randomUUID } from 'node:crypto';
import type { AppId, Room } from '../core/types.js';
import {
  MAX_WEBHOOKS_PER_APP,
  WEBHOOK_SECRET_SHOWN,
  tooManyWebhooks,
  wantsEvent,
  webhookNotFound,
  type Webhook,
  type WebhookAdmin,
  type WebhookInput,
  type WebhookView,
} from '../core/webhooks.js';
import { eventBody } from '../core/messageOutbox.js';
import type { EngineContext } from './context.js';
import type {
  Delivery,
  EventOutbox,
  MessageOutbox,
  NewDelivery,
  WebhookPatch,
} from './ports/webhookStore.js';
import { toRoomRef } from './views.js';

export interface WebhookHost {
  /** Checks that the app exists (`not_found`). */
  getApp(appId: AppId): Promise<unknown>;
  /** Tells the other nodes that the app's configuration changed (they forget their copy). */
  appChanged(appId: AppId): void;
  /** A delivery was queued: the dispatcher looks now instead of at its next poll. */
  wake(): void;
}

export function viewOf(webhook: Webhook): WebhookView {
  return { ...webhook, secret: WEBHOOK_SECRET_SHOWN };
}

/** The ordering key of a room's events: one room's events reach an endpoint in the order they were written. */
export const roomKey = (roomId: number) => `room:${roomId}`;
/** Events of no room (users, app-wide moderation) are ordered among themselves. */
export const APP_KEY = 'app';

/**
 * Outgoing webhooks: each app's endpoints (cached per app, forgotten on every node when they change) and the
 * events written to the outbox for the endpoints that want them. Events of a stored change are written by the
 * store in the change's own transaction (`outboxFor` for messages, `eventOutbox` for the others, turned from
 * the parts' changes in webhookEvents.ts); room presence, which no stored change carries, just after it changed
 * (`emit`). Delivery is the dispatcher's (webhookDispatcher.ts).
 */
export class Webhooks implements WebhookAdmin {
  private readonly cache = new Map<AppId, Promise<Webhook[]>>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly host: WebhookHost,
  ) {}

  /** Drops the app's cached endpoints (here after a change, on other nodes on `app_changed`). */
  forget(appId: AppId): void {
    this.cache.delete(appId);
  }

  /** Drops every app's endpoints (the bus was down: changes may have gone unheard). */
  forgetAll(): void {
    this.cache.clear();
  }

  private endpoints(appId: AppId): Promise<Webhook[]> {
    let cached = this.cache.get(appId);
    if (!cached) {
      cached = this.ctx.store.webhooks.list(appId);
      // A failed read is not kept: the next event asks the store again.
      cached.catch(() => this.cache.delete(appId));
      this.cache.set(appId, cached);
    }
    return cached;
  }

  private changed(appId: AppId): void {
    this.forget(appId);
    this.host.appChanged(appId);
  }

  // ---------------------------------------------------------------- the events

  /** The enabled endpoints of the app that want `type`. */
  private async wanting(appId: AppId, type: string): Promise<number[]> {
    return (await this.endpoints(appId))
      .filter((w) => w.enabled && wantsEvent(w.events, type))
      .map((w) => w.id);
  }

  /** The deliveries of one event, one per enabled endpoint that wants it; none when no endpoint does. */
  private async deliveriesOf(
    appId: AppId,
    type: string,
    orderKey: string,
  ): Promise<((data: unknown) => NewDelivery[]) | null> {
    const wanting = await this.wanting(appId, type);
    if (wanting.length === 0) return null;
    return (data) => {
      const eventId = randomUUID();
      const createdAt = this.ctx.clock.now();
      const body = eventBody(eventId, type, appId, createdAt, data);
      return wanting.map((webhookId) => ({ appId, webhookId, eventId, type, orderKey, body, createdAt }));
    };
  }

  /**
   * The outbox argument of a message write: what the store needs to build the event from the message as its
   * transaction wrote it (core/messageOutbox.ts). Undefined when no endpoint of the app wants `type`, so that
   * the write costs nothing more.
   */
  async outboxFor(
    room: Room,
    type: 'message.created' | 'message.edited' | 'message.deleted',
  ): Promise<MessageOutbox | undefined> {
    const webhookIds = await this.wanting(room.appId, type);
    if (webhookIds.length === 0) return undefined;
    return {
      appId: room.appId,
      type,
      orderKey: roomKey(room.id),
      webhookIds,
      eventId: randomUUID(),
      createdAt: this.ctx.clock.now(),
      room: toRoomRef(room),
    };
  }

  /**
   * The outbox argument of another store write: the event whose `data` is made from what the transaction wrote.
   * Undefined when no endpoint of the app wants `type`, as for `outboxFor`.
   */
  async eventOutbox<T>(
    appId: AppId,
    type: string,
    orderKey: string,
    data: (row: T) => unknown,
  ): Promise<EventOutbox<T> | undefined> {
    const build = await this.deliveriesOf(appId, type, orderKey);
    return build ? (row: T) => build(data(row)) : undefined;
  }

  /** Outbox rows were committed: the dispatcher looks now instead of at its next poll. */
  queued(): void {
    this.host.wake();
  }

  /**
   * An event that no stored change carries (room presence), written in its own transaction.
   * Never throws: a failure is logged.
   */
  emit(appId: AppId, type: string, orderKey: string, data: unknown): void {
    const write = async () => {
      const build = await this.deliveriesOf(appId, type, orderKey);
      if (!build) return;
      await this.ctx.store.webhooks.enqueue(build(data));
      this.host.wake();
    };
    this.ctx
      .track(write())
      .catch((err: unknown) => this.ctx.logger.warn({ err, appId, type }, 'writing a webhook event failed'));
  }

  // ---------------------------------------------------------------- the operator's

  async list(appId: AppId): Promise<WebhookView[]> {
    await this.host.getApp(appId);
    return (await this.ctx.store.webhooks.list(appId)).map(viewOf);
  }

  async get(appId: AppId, id: number): Promise<WebhookView> {
    await this.host.getApp(appId);
    const webhook = await this.ctx.store.webhooks.get(appId, id);
    if (!webhook) throw webhookNotFound();
    return viewOf(webhook);
  }

  async create(appId: AppId, input: WebhookInput): Promise<WebhookView> {
    await this.host.getApp(appId);
    // Counted before the insert: two operators racing may both pass, which the bound tolerates (it bounds the
    // write per event, not a resource an attacker holds).
    if ((await this.ctx.store.webhooks.list(appId)).length >= MAX_WEBHOOKS_PER_APP) throw tooManyWebhooks();
    const created = await this.ctx.store.webhooks.create({
      appId,
      url: input.url,
      secret: input.secret,
      events: [...new Set(input.events)],
      enabled: input.enabled ?? true,
      now: this.ctx.clock.now(),
    });
    this.changed(appId);
    return viewOf(created);
  }

  async update(appId: AppId, id: number, patch: WebhookPatch): Promise<WebhookView> {
    await this.host.getApp(appId);
    const settled: WebhookPatch = { ...patch };
    // `[set]` given back keeps the stored secret, as the guest verification setting does.
    if (settled.secret === WEBHOOK_SECRET_SHOWN) delete settled.secret;
    if (settled.events) settled.events = [...new Set(settled.events)];
    const updated = await this.ctx.store.webhooks.update(appId, id, settled, this.ctx.clock.now());
    this.changed(appId);
    return viewOf(updated);
  }

  async remove(appId: AppId, id: number): Promise<void> {
    await this.host.getApp(appId);
    if (!(await this.ctx.store.webhooks.remove(appId, id))) throw webhookNotFound();
    this.changed(appId);
  }

  async deliveries(
    appId: AppId,
    id: number,
    opts: { limit: number; beforeId?: number },
  ): Promise<{ deliveries: Delivery[]; nextCursor: number | null }> {
    await this.get(appId, id);
    const deliveries = await this.ctx.store.webhooks.deliveries(appId, id, opts);
    const last = deliveries.at(-1);
    return { deliveries, nextCursor: deliveries.length === opts.limit && last ? last.id : null };
  }

  async redeliver(appId: AppId, id: number, deliveryId: number): Promise<Delivery> {
    await this.get(appId, id);
    const queued = await this.ctx.store.webhooks.redeliver(appId, id, deliveryId, this.ctx.clock.now());
    this.host.wake();
    return queued;
  }
}
