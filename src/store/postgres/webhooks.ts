import type { AppId } from '../../core/types.js';
import { deliveryNotFound, webhookNotFound, type Webhook } from '../../core/webhooks.js';
import type {
  ClaimedDelivery,
  Delivery,
  FinishedDelivery,
  EventOutbox,
  NewDelivery,
  NewWebhook,
  WebhookPatch,
  WebhookStore,
} from '../../engine/ports/webhookStore.js';
import {
  NO_CURSOR,
  WEBHOOK_COLUMNS,
  claimed,
  endpointsOf,
  type ClaimedRow,
  type Endpoint,
  WEBHOOK_SQL,
  enqueueValues,
  finishValues,
  toDelivery,
  toWebhook,
  type DeliveryRow,
  type WebhookRow,
} from '../webhookRows.js';
import { sql, type Db, type Tx } from './db.js';

const q = {
  ...Object.fromEntries(
    Object.entries(WEBHOOK_SQL).map(([key, text]) => [
      key,
      // Across nodes a delivery is claimed by one: a row another node is claiming is skipped, not waited for.
      sql(`webhooks.${key}`, text.replace('{lock}', 'FOR UPDATE SKIP LOCKED')),
    ]),
  ),
  insert: sql(
    'webhooks.insert',
    `INSERT INTO webhooks (app_id, url, secret, events, enabled, created_at, updated_at)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, $6) RETURNING ${WEBHOOK_COLUMNS}`,
  ),
  /** Every outcome of a batch in one statement, each row still only if this node holds its claim. */
  finishAll: sql(
    'webhooks.finishAll',
    `UPDATE webhook_deliveries d SET status = v.status, last_status = v.last_status, last_failure = v.last_failure,
       next_attempt_at = v.next_attempt_at, delivered_at = v.delivered_at, claimed_by = NULL, claim_until = NULL
     FROM unnest($2::bigint[], $3::text[], $4::int[], $5::text[], $6::bigint[], $7::bigint[])
       AS v(id, status, last_status, last_failure, next_attempt_at, delivered_at)
     WHERE d.id = v.id AND d.claimed_by = $1 RETURNING d.id`,
  ),
  patch: sql(
    'webhooks.patch',
    `UPDATE webhooks SET url = COALESCE($3, url), secret = COALESCE($4, secret),
       events = COALESCE($5::jsonb, events), enabled = COALESCE($6, enabled), updated_at = $7
     WHERE app_id = $1 AND id = $2 RETURNING ${WEBHOOK_COLUMNS}`,
  ),
} as Record<keyof typeof WEBHOOK_SQL | 'insert' | 'patch' | 'finishAll', ReturnType<typeof sql>>;

/** Writes outbox rows inside a transaction of the message log (the change and its events commit together). */
export async function writeOutbox(tx: Tx, deliveries: readonly NewDelivery[]): Promise<void> {
  for (const d of deliveries) await tx.query(q.enqueue, enqueueValues(d));
}

// The rows of a whole batch of appends as one statement: one array per column, in the order of the rows.
const enqueueMany = sql(
  'webhooks.enqueue-many',
  `INSERT INTO webhook_deliveries (app_id, webhook_id, event_id, type, order_key, body, status, next_attempt_at,
     created_at)
   SELECT t.app_id, t.webhook_id, t.event_id, t.type, t.order_key, t.body, 'pending', t.created_at, t.created_at
   FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
     WITH ORDINALITY AS t(app_id, webhook_id, event_id, type, order_key, body, created_at, n)
   ORDER BY t.n`,
);

/** Writes many outbox rows in one round trip, in the given order (their ids follow it), inside `tx`. */
export async function writeOutboxMany(tx: Tx, deliveries: readonly NewDelivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  const columns = deliveries.map(enqueueValues);
  await tx.query(
    enqueueMany,
    Array.from({ length: 7 }, (_, i) => columns.map((row) => row[i])),
  );
}

/**
 * Runs a change and writes the event rows made from what it wrote in the same transaction; without an outbox the
 * change runs as it is (a single statement commits on its own).
 */
export async function toldWith<T>(
  db: Db,
  change: (tx: Pick<Tx, 'query'>) => Promise<T>,
  outbox: EventOutbox<T> | undefined,
  conflictMessage?: string,
): Promise<T> {
  if (!outbox) {
    return change({ query: (statement, values) => db.query(statement, values, conflictMessage) });
  }
  return db.transaction(async (tx) => {
    const row = await change(tx);
    await writeOutbox(tx, outbox(row));
    return row;
  }, conflictMessage);
}

export class PostgresWebhookStore implements WebhookStore {
  constructor(private readonly db: Db) {}

  async create(input: NewWebhook): Promise<Webhook> {
    const [row] = await this.db.query<WebhookRow>(q.insert, [
      input.appId,
      input.url,
      input.secret,
      JSON.stringify(input.events),
      input.enabled,
      input.now,
    ]);
    if (!row) throw new Error('INSERT … RETURNING gave no row');
    return toWebhook(row);
  }

  async list(appId: AppId): Promise<Webhook[]> {
    return (await this.db.query<WebhookRow>(q.list, [appId])).map(toWebhook);
  }

  async get(appId: AppId, id: number): Promise<Webhook | null> {
    const [row] = await this.db.query<WebhookRow>(q.get, [appId, id]);
    return row ? toWebhook(row) : null;
  }

  async update(appId: AppId, id: number, patch: WebhookPatch, now: number): Promise<Webhook> {
    const [row] = await this.db.query<WebhookRow>(q.patch, [
      appId,
      id,
      patch.url ?? null,
      patch.secret ?? null,
      patch.events === undefined ? null : JSON.stringify(patch.events),
      patch.enabled ?? null,
      now,
    ]);
    if (!row) throw webhookNotFound();
    return toWebhook(row);
  }

  async remove(appId: AppId, id: number): Promise<boolean> {
    return (await this.db.query(q.remove, [appId, id])).length > 0;
  }

  async enqueue(deliveries: readonly NewDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.db.transaction((tx) => writeOutbox(tx, deliveries));
  }

  async claim(opts: Parameters<WebhookStore['claim']>[0]): Promise<ClaimedDelivery[]> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<ClaimedRow>(q.claim, [opts.node, opts.now, opts.leaseMs, opts.limit]);
      const endpoints = endpointsOf(async (id) => (await tx.query<Endpoint>(q.endpoint, [id]))[0]);
      const out: ClaimedDelivery[] = [];
      for (const row of rows.sort((a, b) => a.id - b.id)) {
        out.push(claimed(row, await endpoints(row.webhook_id)));
      }
      return out;
    });
  }

  async finish(node: string, finished: readonly FinishedDelivery[]): Promise<number[]> {
    if (finished.length === 0) return [];
    // One column per field: finishValues' order is status, last_status, last_failure, next_attempt_at, delivered_at.
    const columns: unknown[][] = [[], [], [], [], [], []];
    for (const { id, outcome } of finished) {
      [id, ...finishValues(outcome)].forEach((value, i) => columns[i]?.push(value));
    }
    const rows = await this.db.query<{ id: number }>(q.finishAll, [node, ...columns]);
    return rows.map((row) => Number(row.id)).sort((a, b) => a - b);
  }

  async deliveries(
    appId: AppId,
    webhookId: number,
    opts: { limit: number; beforeId?: number },
  ): Promise<Delivery[]> {
    const rows = await this.db.query<DeliveryRow>(q.deliveries, [
      appId,
      webhookId,
      opts.beforeId ?? NO_CURSOR,
      opts.limit,
    ]);
    return rows.map(toDelivery);
  }

  async redeliver(appId: AppId, webhookId: number, deliveryId: number, now: number): Promise<Delivery> {
    const [row] = await this.db.query<DeliveryRow>(q.redeliver, [appId, webhookId, deliveryId, now]);
    if (!row) throw deliveryNotFound();
    return toDelivery(row);
  }

  async backlog(): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(q.backlog, []);
    return Number(row?.n ?? 0);
  }

  async pruneDelivered(before: number, limit: number): Promise<number> {
    return (await this.db.query(q.prune, [before, limit])).length;
  }
}
