import type { AuditEntry } from '../core/audit.js';

/** An admin_audit row; `changes` as the driver returns it (SQLite: JSON text, PostgreSQL: parsed JSONB). */
export interface AuditRow<Json> {
  id: number;
  app_id: number | null;
  at: number;
  actor: string;
  address: string | null;
  action: string;
  changes: Json;
}

export const AUDIT_COLUMNS = 'id, app_id, at, actor, address, action, changes';

/** toAuditEntry for a store, given how it reads its changes column. */
export function auditMapper<Json>(
  changes: (json: Json) => Record<string, unknown>,
): (row: AuditRow<Json>) => AuditEntry {
  return (row) => ({
    id: row.id,
    appId: row.app_id,
    at: row.at,
    actor: row.actor,
    address: row.address,
    action: row.action,
    changes: changes(row.changes),
  });
}
