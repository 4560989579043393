import type { AuditEntry, NewAuditEntry } from '../../core/audit.js';
import type { AppId } from '../../core/types.js';
import type { AuditStore } from '../../engine/ports/auditStore.js';
import { AUDIT_COLUMNS, auditMapper, type AuditRow } from '../auditRows.js';
import { sql, type Db } from './db.js';

type Changes = Record<string, unknown>;
const toEntry = auditMapper((changes: Changes) => changes);

/** No `before`: every id is below this. */
const NO_CURSOR = Number.MAX_SAFE_INTEGER;

const q = {
  insert: sql(
    'audit.insert',
    `INSERT INTO admin_audit (app_id, at, actor, address, action, changes)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING ${AUDIT_COLUMNS}`,
  ),
  byApp: sql(
    'audit.by-app',
    `SELECT ${AUDIT_COLUMNS} FROM admin_audit WHERE app_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`,
  ),
  all: sql('audit.all', `SELECT ${AUDIT_COLUMNS} FROM admin_audit WHERE id < $1 ORDER BY id DESC LIMIT $2`),
};

export class PostgresAuditStore implements AuditStore {
  constructor(private readonly db: Db) {}

  async record(entry: NewAuditEntry): Promise<AuditEntry> {
    const [row] = await this.db.query<AuditRow<Changes>>(q.insert, [
      entry.appId,
      entry.at,
      entry.actor,
      entry.address,
      entry.action,
      // JSONB travels as JSON text: pg would turn a JS array into a PostgreSQL array.
      JSON.stringify(entry.changes),
    ]);
    if (!row) throw new Error('INSERT … RETURNING gave no row');
    return toEntry(row);
  }

  async list(opts: { appId: AppId | null; beforeId?: number; limit: number }): Promise<AuditEntry[]> {
    const before = opts.beforeId ?? NO_CURSOR;
    const rows =
      opts.appId === null
        ? await this.db.query<AuditRow<Changes>>(q.all, [before, opts.limit])
        : await this.db.query<AuditRow<Changes>>(q.byApp, [opts.appId, before, opts.limit]);
    return rows.map(toEntry);
  }
}
