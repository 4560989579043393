import type { ProfilePatch } from '../../core/profiles.js';
import type { AppId, User, UserId } from '../../core/types.js';

/**
 * Users' profiles (see engine/profiles.ts), a field of the Store (`store.profiles`). Reads need nothing here:
 * every read of a user, and every message's author, carries the profile. Both stores pass the contract in
 * test/store/contract-profiles.ts.
 */
export interface ProfileStore {
  /**
   * Applies the patch (an absent field stays, null clears) and answers the user as now; `not_found` when the
   * app has no such user.
   */
  setProfile(appId: AppId, userId: UserId, patch: ProfilePatch): Promise<User>;
}
