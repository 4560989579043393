/**
 * The webhook tables as both stores read them: the statements they share (PostgreSQL `$n` placeholders;
 * SQLite runs them through sqliteText) and the rows turned into the port's shapes.
 */
import type { DeliveryStatus, Webhook } from '../core/webhooks.js';
import type {
  ClaimedDelivery,
  Delivery,
  DeliveryOutcome,
  NewDelivery,
} from '../engine/ports/webhookStore.js';

export const WEBHOOK_COLUMNS = 'id, app_id, url, secret, events, enabled, created_at, updated_at';
export const DELIVERY_COLUMNS = `id, app_id, webhook_id, event_id, type, order_key, status, attempts, last_status,
  last_failure, next_attempt_at, created_at, delivered_at`;

export interface WebhookRow {
  id: number;
  app_id: number;
  url: string;
  secret: string;
  /** JSON text in SQLite, already parsed from JSONB in PostgreSQL. */
  events: string | string[];
  enabled: number | boolean;
  created_at: number;
  updated_at: number;
}

export interface DeliveryRow {
  id: number;
  app_id: number;
  webhook_id: number;
  event_id: string;
  type: string;
  order_key: string;
  status: string;
  attempts: number;
  last_status: number | null;
  last_failure: string | null;
  next_attempt_at: number | null;
  created_at: number;
  delivered_at: number | null;
}

export function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    appId: row.app_id,
    url: row.url,
    secret: row.secret,
    events: typeof row.events === 'string' ? (JSON.parse(row.events) as string[]) : row.events,
    enabled: row.enabled === true || row.enabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    appId: row.app_id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    type: row.type,
    orderKey: row.order_key,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    lastStatus: row.last_status,
    lastFailure: row.last_failure,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
  };
}

const OPEN = "status IN ('pending', 'failed-retrying')";

/**
 * The head of every unfinished queue (endpoint and order key), found by skipping through the partial index
 * webhook_deliveries_open (webhook_id, order_key, id) one queue at a time: each step is one index seek to the
 * first open row past the previous queue, so the cost follows the number of queues with a backlog, not the
 * backlog itself (a head test per open row made each claim scan the whole outbox).
 */
const HEADS = `WITH RECURSIVE heads(id) AS (
    SELECT (SELECT id FROM webhook_deliveries WHERE ${OPEN} ORDER BY webhook_id, order_key, id LIMIT 1)
    UNION ALL
    SELECT COALESCE(
      (SELECT e.id FROM webhook_deliveries e WHERE e.${OPEN} AND e.webhook_id = q.webhook_id
        AND e.order_key > q.order_key ORDER BY e.webhook_id, e.order_key, e.id LIMIT 1),
      (SELECT e.id FROM webhook_deliveries e WHERE e.${OPEN} AND e.webhook_id > q.webhook_id
        ORDER BY e.webhook_id, e.order_key, e.id LIMIT 1))
    FROM heads h JOIN webhook_deliveries q ON q.id = h.id
  )`;

/** A head that may be tried at $1: due, and not claimed by a node whose lease still runs. */
const DUE = `d.${OPEN} AND COALESCE(d.next_attempt_at, 0) <= $1 AND (d.claim_until IS NULL OR d.claim_until < $1)`;

export const WEBHOOK_SQL = {
  list: `SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE app_id = $1 ORDER BY id`,
  get: `SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE app_id = $1 AND id = $2`,
  remove: 'DELETE FROM webhooks WHERE app_id = $1 AND id = $2 RETURNING id',
  endpoint: 'SELECT url, secret FROM webhooks WHERE id = $1',
  enqueue: `INSERT INTO webhook_deliveries (app_id, webhook_id, event_id, type, order_key, body, status,
              next_attempt_at, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7)`,
  /** Whether any queue's head may be due: a read, so that an idle poll takes no write lock (SQLite). */
  anyDue: `${HEADS} SELECT 1 AS due FROM webhook_deliveries d
    WHERE d.id IN (SELECT id FROM heads) AND ${DUE} LIMIT 1`,
  /**
   * The due heads of the unfinished queues, oldest first: a delivery waits while an older one of its endpoint and
   * key is unfinished, so one room's events leave one at a time and in order. `{lock}` is where PostgreSQL
   * adds FOR UPDATE SKIP LOCKED.
   */
  claim: `${HEADS} UPDATE webhook_deliveries SET claimed_by = $1, claim_until = $2 + $3, attempts = attempts + 1
    WHERE id IN (
      SELECT d.id FROM webhook_deliveries d WHERE d.id IN (SELECT id FROM heads) AND ${DUE.replaceAll('$1', '$2')}
      ORDER BY d.id LIMIT $4 {lock}
    ) RETURNING ${DELIVERY_COLUMNS}, body`,
  finish: `UPDATE webhook_deliveries SET status = $3, last_status = $4, last_failure = $5, next_attempt_at = $6,
      delivered_at = $7, claimed_by = NULL, claim_until = NULL
    WHERE id = $1 AND claimed_by = $2 RETURNING id`,
  deliveries: `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries
    WHERE app_id = $1 AND webhook_id = $2 AND id < $3 ORDER BY id DESC LIMIT $4`,
  redeliver: `INSERT INTO webhook_deliveries (app_id, webhook_id, event_id, type, order_key, body, status,
      next_attempt_at, created_at)
    SELECT app_id, webhook_id, event_id, type, order_key, body, 'pending', $4, $4 FROM webhook_deliveries
    WHERE app_id = $1 AND webhook_id = $2 AND id = $3
    RETURNING ${DELIVERY_COLUMNS}`,
  backlog: `SELECT count(*) AS n FROM webhook_deliveries WHERE ${OPEN}`,
  /** Delivered rows older than $1, at most $2 of them (webhook_deliveries_delivered, migration 18). */
  prune: `DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries
    WHERE status = 'delivered' AND delivered_at < $1 ORDER BY delivered_at LIMIT $2) RETURNING id`,
};

/** A delivery's values for WEBHOOK_SQL.enqueue. */
export function enqueueValues(d: NewDelivery): unknown[] {
  return [d.appId, d.webhookId, d.eventId, d.type, d.orderKey, d.body, d.createdAt];
}

/** An outcome's values for WEBHOOK_SQL.finish after the id and node. */
export function finishValues(outcome: DeliveryOutcome): unknown[] {
  if (outcome.status === 'delivered') return ['delivered', outcome.httpStatus, null, null, outcome.at];
  return [outcome.status, outcome.httpStatus, outcome.failure, outcome.nextAttemptAt, null];
}

export type ClaimedRow = DeliveryRow & { body: string };
export interface Endpoint {
  url: string;
  secret: string;
}

/** Looks each endpoint up once per claim (a claim's heads mostly share one or a few endpoints). */
export function endpointsOf<T extends Endpoint | undefined | Promise<Endpoint | undefined>>(
  read: (webhookId: number) => T,
): (webhookId: number) => T {
  const seen = new Map<number, T>();
  return (webhookId) => {
    let endpoint = seen.get(webhookId);
    if (endpoint === undefined) {
      endpoint = read(webhookId);
      seen.set(webhookId, endpoint);
    }
    return endpoint;
  };
}

/** A claimed row with its endpoint (an endpoint removed meanwhile: empty, and the try fails). */
export function claimed(row: ClaimedRow, endpoint: Endpoint | undefined): ClaimedDelivery {
  return { ...toDelivery(row), body: row.body, url: endpoint?.url ?? '', secret: endpoint?.secret ?? '' };
}

/** No `before`: every id is below this. */
export const NO_CURSOR = Number.MAX_SAFE_INTEGER;
