import pg from 'pg';
import type { Store } from '../../engine/ports/store.js';
import { Db, sql, TYPES } from './db.js';
import { PostgresDirectory } from './directory.js';
import { PostgresDmStore } from './dms.js';
import { PostgresGuestRoster } from './guests.js';
import { PostgresMessageLog } from './messageLog.js';
import { PostgresPinBoard } from './pins.js';
import { PostgresReplyLog } from './replies.js';
import { PostgresReactionStore } from './reactions.js';
import { checkSchemaName, migrate } from './migrations.js';
import { PostgresReadState } from './readState.js';
import { PostgresSearchIndex } from './search.js';
import { PostgresProfileStore } from './profiles.js';
import { PostgresTokenStore } from './tokens.js';
import { PostgresAuditStore } from './audit.js';
import { PostgresReportStore } from './reports.js';
import { PostgresStrikeStore } from './strikes.js';
import { PostgresPageRoomStore } from './pageRooms.js';
import { PostgresLinkPreviewStore } from './linkPreviews.js';
import { PostgresAttachmentStore } from './attachments.js';
import { PostgresWebhookStore } from './webhooks.js';
import { PostgresDataProtection } from './dataProtection.js';
import { PostgresBotStore } from './bots.js';

export { MIGRATIONS, MIGRATION_LOCK_KEY, migrate, type Migration } from './migrations.js';
export { Db } from './db.js';
export { mapPgError } from './errors.js';
export { PostgresDirectory } from './directory.js';
export { PostgresMessageLog } from './messageLog.js';

export interface PostgresOptions {
  /** A libpq-style URL, e.g. postgres://parley:secret@db.internal:5432/parley. */
  connectionString: string;
  /** Connections in this process's pool (default 10). Every node has its own pool. */
  max?: number;
  /**
   * A schema to keep Parley's tables in (created if missing), set as search_path on every pooled connection.
   * Plain lower-case names only. Without it the tables go where the connection's search_path says (public).
   */
  schema?: string;
  /** Server-side limit for one statement (default 10 s, 0: none); a statement cut by it fails with `unavailable`. */
  statementTimeoutMs?: number;
  /** How long to wait for a new connection before failing with `unavailable` (default 5 s). */
  connectionTimeoutMs?: number;
  /**
   * Group commit of message appends (default on; docs/storage.md). Off, each append is a transaction of its own:
   * for comparison in benchmarks and tests.
   */
  batchAppends?: boolean;
}

const DEFAULTS = { max: 10, statementTimeoutMs: 10_000, connectionTimeoutMs: 5_000 };

const ping = sql('store.ping', 'SELECT 1 AS one');

function whole(value: number, what: string, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new Error(`${what} must be an integer >= ${min}`);
  return value;
}

/** The pool configuration, exported so that its choices can be tested without a server. */
export function poolConfig(opts: PostgresOptions): pg.PoolConfig {
  const schema = opts.schema === undefined ? undefined : checkSchemaName(opts.schema);
  return {
    connectionString: opts.connectionString,
    max: whole(opts.max ?? DEFAULTS.max, 'max', 1),
    // 0 turns the limit off (pg then sends no statement_timeout at all).
    statement_timeout: whole(opts.statementTimeoutMs ?? DEFAULTS.statementTimeoutMs, 'statementTimeoutMs', 0),
    connectionTimeoutMillis: whole(
      opts.connectionTimeoutMs ?? DEFAULTS.connectionTimeoutMs,
      'connectionTimeoutMs',
      1,
    ),
    // Sent in the startup packet, so the setting holds from a connection's first statement on; the name was
    // checked to be a plain identifier. (A connection string that sets `options` itself takes precedence, and
    // migrate() then refuses to run in the wrong schema.)
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    // A transaction left open by a stuck client must not hold a room's lock (and so its writers) for long.
    idle_in_transaction_session_timeout: 60_000,
    keepAlive: true,
    application_name: 'parley',
    types: TYPES,
  };
}

/**
 * Opens a pool on the database and brings the schema up to date (see migrate: several nodes may do this at
 * once). Fails with `unavailable` when the server cannot be reached or was migrated by a newer build; the pool
 * is closed again then.
 */
export async function openPostgresStore(opts: PostgresOptions): Promise<Store> {
  const pool = new pg.Pool(poolConfig(opts));
  const db = new Db(pool);
  try {
    await migrate(db, opts.schema === undefined ? {} : { schema: opts.schema });
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return {
    directory: new PostgresDirectory(db),
    messages: new PostgresMessageLog(db, { batched: opts.batchAppends !== false }),
    guests: new PostgresGuestRoster(db),
    replies: new PostgresReplyLog(db),
    pins: new PostgresPinBoard(db),
    reactions: new PostgresReactionStore(db),
    reads: new PostgresReadState(db),
    profiles: new PostgresProfileStore(db),
    dms: new PostgresDmStore(db),
    tokens: new PostgresTokenStore(db),
    audit: new PostgresAuditStore(db),
    reports: new PostgresReportStore(db),
    strikes: new PostgresStrikeStore(db),
    pageRooms: new PostgresPageRoomStore(db),
    linkPreviews: new PostgresLinkPreviewStore(db),
    attachments: new PostgresAttachmentStore(db),
    webhooks: new PostgresWebhookStore(db),
    dataProtection: new PostgresDataProtection(db),
    bots: new PostgresBotStore(db),
    async ping() {
      await db.query(ping, []);
    },
    async close() {
      await db.close();
    },
    search: new PostgresSearchIndex(db),
  };
}
