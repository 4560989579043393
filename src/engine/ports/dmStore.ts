import type { DmPair } from '../../core/dms.js';
import type { AppId, Room, User, UserId } from '../../core/types.js';

/** A DM of one user as the store lists it: the room, the other member and the room's newest seq. */
export interface DmSummary {
  room: Room;
  peer: User;
  lastSeq: number;
}

/**
 * Direct messages and blocks (see engine/dms.ts), a field of the Store (`store.dms`). Both stores pass the
 * contract in test/store/contract-dms.ts.
 */
export interface DmStore {
  /**
   * The pair's DM room, created private with both users as members when there is none: insert-or-get in one
   * transaction, keyed by (app, low id, high id). Openers racing on any node get the same room; `created` is
   * true for exactly one of them.
   */
  openPair(appId: AppId, pair: DmPair, now: number): Promise<{ room: Room; created: boolean }>;
  /** The DM rooms `userId` is in, with the other member, newest room first, at most `limit`. */
  listPairs(appId: AppId, userId: UserId, limit: number): Promise<DmSummary[]>;

  /** True when the block is new (blocking twice changes nothing). */
  block(appId: AppId, blocker: UserId, blocked: UserId, now: number): Promise<boolean>;
  /** True when there was a block to lift. */
  unblock(appId: AppId, blocker: UserId, blocked: UserId): Promise<boolean>;
  isBlocked(appId: AppId, blocker: UserId, blocked: UserId): Promise<boolean>;
  /** The users `blocker` has blocked, in the order they were blocked, at most `limit`. */
  listBlocked(appId: AppId, blocker: UserId, limit: number): Promise<User[]>;
}
