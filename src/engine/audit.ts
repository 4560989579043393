import { AUDIT_ACTION_MAX, auditChanges, type AuditEntry } from '../core/audit.js';
import { ParleyError } from '../core/errors.js';
import type { AppId } from '../core/types.js';
import type { AuditPage, AuditQuery, AuditRecordInput } from './api.js';
import type { EngineContext } from './context.js';

/** Entries per page of the audit trail: default and most. */
export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 200;
/** Longest actor and address kept (both come from the HTTP layer; this bounds what is stored). */
const MAX_ACTOR = 64;

/**
 * The admin API's audit trail: every change made through it, with who made it (the admin key's identity and the
 * peer address) and what changed (the route's action and its bounded, secret-free fields). Written by the
 * HTTP layer's audit hook after a change succeeded; read back newest first.
 */
export class Audit {
  constructor(private readonly ctx: EngineContext) {}

  async record(input: AuditRecordInput): Promise<AuditEntry> {
    if (input.action.length === 0 || input.action.length > AUDIT_ACTION_MAX) {
      throw new ParleyError('bad_request', `an audit action is 1-${AUDIT_ACTION_MAX} characters`);
    }
    return this.ctx.store.audit.record({
      appId: input.appId,
      action: input.action,
      actor: input.actor.slice(0, MAX_ACTOR),
      address: input.address === null ? null : input.address.slice(0, MAX_ACTOR),
      changes: auditChanges(input.changes),
      at: this.ctx.clock.now(),
    });
  }

  /** `appId` null: the whole server's trail (every app's entries and the server-wide ones). */
  async list(appId: AppId | null, query: AuditQuery): Promise<AuditPage> {
    const limit = Math.min(Math.max(1, query.limit ?? AUDIT_PAGE_DEFAULT), AUDIT_PAGE_MAX);
    const entries = await this.ctx.store.audit.list({
      appId,
      limit,
      ...(query.before === undefined ? {} : { beforeId: query.before }),
    });
    const last = entries[entries.length - 1];
    return { entries, nextCursor: entries.length === limit && last ? last.id : null };
  }
}
