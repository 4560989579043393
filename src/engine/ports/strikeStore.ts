import type { Strike } from '../../core/escalation.js';
import type { AppId, UserId } from '../../core/types.js';

/**
 * Strikes (see engine/strikes.ts), a field of the Store (`store.strikes`). Both stores pass the contract in
 * test/store/contract-strikes.ts.
 */
export interface StrikeStore {
  /**
   * Stores the strike and answers how many of the user's strikes are unexpired at `strike.at`, this one
   * included, in one transaction. The user's strikes that expired more than STRIKE_HISTORY_MS ago go.
   */
  add(strike: Strike): Promise<number>;
  /** The user's strikes, newest first, at most `limit`, expired ones (still kept) included. */
  list(appId: AppId, userId: UserId, limit: number): Promise<Strike[]>;
}

/** How long an expired strike is kept for the record (it no longer counts): 30 days. */
export const STRIKE_HISTORY_MS = 30 * 24 * 60 * 60 * 1000;
