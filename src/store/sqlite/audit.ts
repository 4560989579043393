import type Database from 'better-sqlite3';
import type { AuditEntry, NewAuditEntry } from '../../core/audit.js';
import type { AppId } from '../../core/types.js';
import type { AuditStore } from '../../engine/ports/auditStore.js';
import { AUDIT_COLUMNS, auditMapper, type AuditRow } from '../auditRows.js';
import { guard } from './errors.js';

const toEntry = auditMapper((text: string) => JSON.parse(text) as Record<string, unknown>);

/** No `before`: every id is below this. */
const NO_CURSOR = Number.MAX_SAFE_INTEGER;

type Insert = Omit<AuditRow<string>, 'id'>;

export class SqliteAuditStore implements AuditStore {
  private readonly insert: Database.Statement<Insert, AuditRow<string>>;
  private readonly byApp: Database.Statement<[number, number, number], AuditRow<string>>;
  private readonly all: Database.Statement<[number, number], AuditRow<string>>;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare<Insert, AuditRow<string>>(
      `INSERT INTO admin_audit (app_id, at, actor, address, action, changes)
       VALUES (@app_id, @at, @actor, @address, @action, @changes) RETURNING ${AUDIT_COLUMNS}`,
    );
    this.byApp = db.prepare<[number, number, number], AuditRow<string>>(
      `SELECT ${AUDIT_COLUMNS} FROM admin_audit WHERE app_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
    );
    this.all = db.prepare<[number, number], AuditRow<string>>(
      `SELECT ${AUDIT_COLUMNS} FROM admin_audit WHERE id < ? ORDER BY id DESC LIMIT ?`,
    );
  }

  async record(entry: NewAuditEntry): Promise<AuditEntry> {
    return guard(this.db, () => {
      const row = this.insert.get({
        app_id: entry.appId,
        at: entry.at,
        actor: entry.actor,
        address: entry.address,
        action: entry.action,
        changes: JSON.stringify(entry.changes),
      });
      if (!row) throw new Error('INSERT … RETURNING gave no row');
      return toEntry(row);
    });
  }

  async list(opts: { appId: AppId | null; beforeId?: number; limit: number }): Promise<AuditEntry[]> {
    const before = opts.beforeId ?? NO_CURSOR;
    return guard(this.db, () =>
      (opts.appId === null
        ? this.all.all(before, opts.limit)
        : this.byApp.all(opts.appId, before, opts.limit)
      ).map(toEntry),
    );
  }
}
