import type { AppId, Message } from './types.js';
import { toMessageView, type RoomRef } from './messageView.js';
import { WEBHOOK_PAYLOAD_MAX_BYTES } from './webhooks.js';

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
 * The webhook events of one message change, as data. The body needs the message as the store's transaction
 * wrote it (its seq is known only there), so the engine cannot build the rows itself; it used to hand the store
 * a closure, but the SQLite store appends in a worker thread and a closure cannot cross a thread. Everything
 * the engine decides (which endpoints, the event id, the time) is fixed here; `messageDeliveries` does the rest,
 * the same for both stores and both SQLite writers.
 */
export interface MessageOutboxSpec {
  appId: AppId;
  type: 'message.created' | 'message.edited' | 'message.deleted';
  orderKey: string;
  /** The enabled endpoints of the app that want `type`; never empty (no endpoint: no spec at all). */
  webhookIds: readonly number[];
  eventId: string;
  createdAt: number;
  room: RoomRef;
}

const encoder = new TextEncoder();

/**
 * The JSON body of one webhook event (docs/webhooks.md). An oversized body would be refused by most endpoints:
 * it is replaced by `{ tooLarge: true }` and the receiver fetches what it needs. (Bytes counted with
 * TextEncoder: core runs in browsers too, where there is no Buffer.)
 */
export function eventBody(
  eventId: string,
  type: string,
  appId: AppId,
  createdAt: number,
  data: unknown,
): string {
  const body = JSON.stringify({ id: eventId, type, appId, createdAt, data });
  if (encoder.encode(body).byteLength <= WEBHOOK_PAYLOAD_MAX_BYTES) return body;
  return JSON.stringify({ id: eventId, type, appId, createdAt, data: { tooLarge: true } });
}

/** The outbox rows of a message change: one per endpoint, each with the event's JSON body. */
export function messageDeliveries(spec: MessageOutboxSpec, message: Message): NewDelivery[] {
  const { appId, type, orderKey, eventId, createdAt } = spec;
  const data = {
    room: { id: spec.room.id, name: spec.room.name },
    message: toMessageView(message, spec.room.name),
  };
  const body = eventBody(eventId, type, appId, createdAt, data);
  return spec.webhookIds.map((webhookId) => ({ appId, webhookId, eventId, type, orderKey, body, createdAt }));
}
