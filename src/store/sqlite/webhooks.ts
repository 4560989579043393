import type Database from 'better-sqlite3';
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
import { sqliteParams, sqliteText } from '../reportRows.js';
import {
  NO_CURSOR,
  WEBHOOK_COLUMNS,
  claimed,
  endpointsOf,
  type Endpoint,
  WEBHOOK_SQL,
  enqueueValues,
  finishValues,
  toDelivery,
  toWebhook,
  type ClaimedRow,
  type DeliveryRow,
  type WebhookRow,
} from '../webhookRows.js';
import { guard } from './errors.js';

type Params = Record<string, unknown>;

/** Writes outbox rows with the statement of this database (used inside the message log's transactions). */
export function sqliteOutboxWriter(db: Database.Database): (deliveries: readonly NewDelivery[]) => void {
  const insert = db.prepare<Params>(sqliteText(WEBHOOK_SQL.enqueue));
  return (deliveries) => {
    for (const d of deliveries) insert.run(sqliteParams(enqueueValues(d)));
  };
}

/**
 * Runs a change and writes the event rows made from what it wrote in the same transaction (a savepoint inside
 * another); without an outbox the change runs as it is.
 */
export function sqliteTold(db: Database.Database) {
  const write = sqliteOutboxWriter(db);
  const atomically = db.transaction((body: () => unknown) => body());
  return <T>(change: () => T, outbox: EventOutbox<T> | undefined): T => {
    if (!outbox) return change();
    return atomically(() => {
      const row = change();
      write(outbox(row));
      return row;
    }) as T;
  };
}

/** One process holds the database: the claim needs no row locks, only the lease columns both stores keep. */
export class SqliteWebhookStore implements WebhookStore {
  private readonly s: Record<keyof typeof WEBHOOK_SQL, Database.Statement<Params>>;
  private readonly insert: Database.Statement<Params, WebhookRow>;
  private readonly patch: Database.Statement<Params, WebhookRow>;
  private readonly enqueueRows: (deliveries: readonly NewDelivery[]) => void;
  private readonly claimTx: (opts: Parameters<WebhookStore['claim']>[0]) => ClaimedDelivery[];
  private readonly finishTx: Database.Transaction<
    (node: string, finished: readonly FinishedDelivery[]) => number[]
  >;

  constructor(private readonly db: Database.Database) {
    const prepared = Object.entries(WEBHOOK_SQL).map(([key, text]) => [
      key,
      db.prepare<Params>(sqliteText(text.replace('{lock}', ''))),
    ]);
    this.s = Object.fromEntries(prepared) as typeof this.s;
    this.insert = db.prepare<Params, WebhookRow>(
      `INSERT INTO webhooks (app_id, url, secret, events, enabled, created_at, updated_at)
       VALUES (@appId, @url, @secret, @events, @enabled, @now, @now) RETURNING ${WEBHOOK_COLUMNS}`,
    );
    this.patch = db.prepare<Params, WebhookRow>(
      `UPDATE webhooks SET url = COALESCE(@url, url), secret = COALESCE(@secret, secret),
         events = COALESCE(@events, events), enabled = COALESCE(@enabled, enabled), updated_at = @now
       WHERE app_id = @appId AND id = @id RETURNING ${WEBHOOK_COLUMNS}`,
    );
    const write = sqliteOutboxWriter(db);
    this.enqueueRows = db.transaction(write);
    const claim = db.transaction((opts: Parameters<WebhookStore['claim']>[0]): ClaimedDelivery[] => {
      const rows = this.s.claim.all(
        sqliteParams([opts.node, opts.now, opts.leaseMs, opts.limit]),
      ) as ClaimedRow[];
      const endpoints = endpointsOf((id) => this.s.endpoint.get(sqliteParams([id])) as Endpoint | undefined);
      return rows.sort((a, b) => a.id - b.id).map((row) => claimed(row, endpoints(row.webhook_id)));
    });
    this.finishTx = db.transaction((node: string, finished: readonly FinishedDelivery[]) =>
      finished
        .flatMap(({ id, outcome }) =>
          this.s.finish.all(sqliteParams([id, node, ...finishValues(outcome)])).length > 0 ? [id] : [],
        )
        .sort((a, b) => a - b),
    );
    // A poll that finds nothing due takes no write lock: on an idle server (or while another process holds the
    // lock) it would otherwise wait out the busy timeout on the event loop every poll.
    this.claimTx = (opts) =>
      this.s.anyDue.get(sqliteParams([opts.now])) === undefined ? [] : claim.immediate(opts);
  }

  async create(input: NewWebhook): Promise<Webhook> {
    return guard(this.db, () => {
      const row = this.insert.get({
        appId: input.appId,
        url: input.url,
        secret: input.secret,
        events: JSON.stringify(input.events),
        enabled: input.enabled ? 1 : 0,
        now: input.now,
      });
      if (!row) throw new Error('INSERT … RETURNING gave no row');
      return toWebhook(row);
    });
  }

  async list(appId: AppId): Promise<Webhook[]> {
    return guard(this.db, () => (this.s.list.all(sqliteParams([appId])) as WebhookRow[]).map(toWebhook));
  }

  async get(appId: AppId, id: number): Promise<Webhook | null> {
    return guard(this.db, () => {
      const row = this.s.get.get(sqliteParams([appId, id])) as WebhookRow | undefined;
      return row ? toWebhook(row) : null;
    });
  }

  async update(appId: AppId, id: number, patch: WebhookPatch, now: number): Promise<Webhook> {
    return guard(this.db, () => {
      const row = this.patch.get({
        appId,
        id,
        now,
        url: patch.url ?? null,
        secret: patch.secret ?? null,
        events: patch.events === undefined ? null : JSON.stringify(patch.events),
        enabled: patch.enabled === undefined ? null : patch.enabled ? 1 : 0,
      });
      if (!row) throw webhookNotFound();
      return toWebhook(row);
    });
  }

  async remove(appId: AppId, id: number): Promise<boolean> {
    return guard(this.db, () => this.s.remove.all(sqliteParams([appId, id])).length > 0);
  }

  async enqueue(deliveries: readonly NewDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    guard(this.db, () => this.enqueueRows(deliveries));
  }

  async claim(opts: Parameters<WebhookStore['claim']>[0]): Promise<ClaimedDelivery[]> {
    return guard(this.db, () => this.claimTx(opts));
  }

  async finish(node: string, finished: readonly FinishedDelivery[]): Promise<number[]> {
    if (finished.length === 0) return [];
    return guard(this.db, () => this.finishTx.immediate(node, finished));
  }

  async deliveries(
    appId: AppId,
    webhookId: number,
    opts: { limit: number; beforeId?: number },
  ): Promise<Delivery[]> {
    return guard(this.db, () =>
      (
        this.s.deliveries.all(
          sqliteParams([appId, webhookId, opts.beforeId ?? NO_CURSOR, opts.limit]),
        ) as DeliveryRow[]
      ).map(toDelivery),
    );
  }

  async redeliver(appId: AppId, webhookId: number, deliveryId: number, now: number): Promise<Delivery> {
    return guard(this.db, () => {
      const row = this.s.redeliver.get(sqliteParams([appId, webhookId, deliveryId, now])) as
        DeliveryRow | undefined;
      if (!row) throw deliveryNotFound();
      return toDelivery(row);
    });
  }

  async backlog(): Promise<number> {
    return guard(this.db, () => (this.s.backlog.get({}) as { n: number }).n);
  }

  async pruneDelivered(before: number, limit: number): Promise<number> {
    return guard(this.db, () => this.s.prune.all(sqliteParams([before, limit])).length);
  }
}
