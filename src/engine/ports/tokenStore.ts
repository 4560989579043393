import type { AppId, UserId } from '../../core/types.js';

/**
 * Access tokens by id, and revocation (see engine/revocation.ts), a field of the Store (`store.tokens`). A
 * revoked token is deleted: its hash is gone, so it never authenticates again, on any node, after any restart.
 * Both stores pass the contract in test/store/contract-revocation.ts.
 */
export interface TokenStore {
  /** The user's tokens that have not expired at `now`, newest first, at most `limit`. */
  listForUser(
    appId: AppId,
    userId: UserId,
    opts: { now: number; limit: number },
  ): Promise<AccessTokenRecord[]>;
  /** Deletes the app's token with this id; answers it (null when there was none). */
  revoke(appId: AppId, id: string): Promise<AccessTokenRecord | null>;
  /**
   * Deletes every token of the user and records `at` as the user's "not before": credentials issued before it
   * (site JWTs, by their `iat`) are refused from now on. A later time replaces an earlier one, never the other
   * way. Answers how many tokens were deleted.
   */
  revokeUser(appId: AppId, userId: UserId, at: number): Promise<number>;
  /** The user's "not before" (ms since epoch), or null when the user's access was never revoked. */
  notBefore(appId: AppId, userId: UserId): Promise<number | null>;
}

export interface AccessTokenRecord {
  /** sha256 hex of the token; the token itself is never stored. */
  hash: string;
  /** Names the token for listing and revoking (random, unique); proves nothing. */
  id: string;
  appId: AppId;
  userId: UserId;
  expiresAt: number | null;
  createdAt: number;
}
