/** The operator's access side of EngineAdmin (api.ts): tokens, revocation and the audit trail. */
import type { AuditActor, AuditEntry } from '../core/audit.js';
import type { AppId, UserRef } from '../core/types.js';

/** The operator's revocations and the admin API's audit trail (revocation.ts, audit.ts). */
export interface EngineAccessAdmin {
  /** The user's access tokens that have not expired, newest first (revocation.ts): ids, never the secrets. */
  listTokens(appId: AppId, username: string): Promise<TokenView[]>;
  /** Deletes the token and closes the sessions signed in with it on every node (`revoked`, 4011). */
  revokeToken(appId: AppId, tokenId: string): Promise<TokenView>;
  /** Deletes every token of the user, refuses the user's older site JWTs, closes every session of the user. */
  revokeUser(appId: AppId, username: string): Promise<RevokedUser>;
  /** Records a change made through the admin API (audit.ts); the changes are bounded and blanked of secrets. */
  recordAudit(input: AuditRecordInput): Promise<AuditEntry>;
  /** The audit trail newest first: of one app, or (null) of the whole server. */
  listAudit(appId: AppId | null, query: AuditQuery): Promise<AuditPage>;
}

/** An access token as the operator sees it: never the token itself. */
export interface TokenView {
  id: string;
  createdAt: number;
  expiresAt: number | null;
}

export interface RevokedUser {
  user: UserRef;
  /** How many tokens were deleted. */
  tokens: number;
  /** Site JWTs of the user issued before this time (ms since epoch) are refused from now on. */
  notBefore: number;
}

export interface AuditRecordInput extends AuditActor {
  /** Null for server-wide changes (an app created). */
  appId: AppId | null;
  action: string;
  changes: Record<string, unknown>;
}

export interface AuditQuery {
  /** The `nextCursor` of the page before: only entries with a smaller id. */
  before?: number;
  /** 1-200, default 50. */
  limit?: number;
}

export interface AuditPage {
  /** Newest first. */
  entries: AuditEntry[];
  /** Pass as `before` for the next (older) page; null at the end. */
  nextCursor: number | null;
}
