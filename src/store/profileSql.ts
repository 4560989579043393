import type { ProfilePatch } from '../core/profiles.js';

/** The columns of a user as both stores read them, the profile included. */
export const USER_COLUMNS = 'id, app_id, username, role, kind, created_at, display_name, avatar_url';

/**
 * The parameters of the profile update both stores run: a flag per field says whether it is set (an absent
 * field keeps its column, null clears it).
 */
export function profileParams(patch: ProfilePatch): {
  setName: number;
  name: string | null;
  setAvatar: number;
  avatar: string | null;
} {
  return {
    setName: patch.displayName === undefined ? 0 : 1,
    name: patch.displayName ?? null,
    setAvatar: patch.avatarUrl === undefined ? 0 : 1,
    avatar: patch.avatarUrl ?? null,
  };
}
