import type { AuditEntry, NewAuditEntry } from '../../core/audit.js';
import type { AppId } from '../../core/types.js';

/**
 * The admin API's audit trail (see engine/audit.ts), a field of the Store (`store.audit`): append-only, paged
 * newest first by id. Both stores pass the contract in test/store/contract-audit.ts.
 */
export interface AuditStore {
  record(entry: NewAuditEntry): Promise<AuditEntry>;
  /**
   * Newest first, at most `limit`, with ids below `beforeId` when given. `appId` a number: that app's entries;
   * null: every entry (server-wide and of every app).
   */
  list(opts: { appId: AppId | null; beforeId?: number; limit: number }): Promise<AuditEntry[]>;
}
