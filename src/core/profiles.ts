import { ParleyError } from './errors.js';

/**
 * A user's profile: a display name and an avatar URL, both optional. They travel with every reference to the
 * user (messages, members, presence) and are present there only when set.
 */
export interface Profile {
  displayName: string | null;
  avatarUrl: string | null;
}

/** A change of profile: an absent field stays as it is, null clears it. */
export type ProfilePatch = Partial<Profile>;

export const DISPLAY_NAME_MAX = 64;
export const AVATAR_URL_MAX = 512;

const PROFILE_FIELDS = ['displayName', 'avatarUrl'] as const;
type ProfileField = (typeof PROFILE_FIELDS)[number];

export const invalidProfile = (field: ProfileField, message: string) =>
  new ParleyError('invalid_profile', message, { field });

// C0, DEL and C1 controls, and the line and paragraph separators: a name is one line of plain text.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/** Trimmed, 1-64 characters (code points), no control characters; null clears. */
export function checkDisplayName(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw invalidProfile('displayName', 'displayName must be a string or null');
  const name = value.trim();
  const length = [...name].length;
  if (length < 1 || length > DISPLAY_NAME_MAX) {
    throw invalidProfile('displayName', `displayName must be 1-${DISPLAY_NAME_MAX} characters`);
  }
  if (CONTROL.test(name)) throw invalidProfile('displayName', 'displayName must not hold control characters');
  return name;
}

/**
 * An https URL of at most 512 characters, as the URL parser writes it; null clears. Anything else (http:,
 * javascript:, data:, relative, unparsable) is refused: clients put it in an <img src> as it is.
 */
export function checkAvatarUrl(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw invalidProfile('avatarUrl', 'avatarUrl must be a string or null');
  const refuse = () =>
    invalidProfile('avatarUrl', `avatarUrl must be an https URL of at most ${AVATAR_URL_MAX} characters`);
  if (value.length > AVATAR_URL_MAX) throw refuse();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse();
  }
  if (url.protocol !== 'https:' || url.hostname === '' || url.username !== '' || url.password !== '') {
    throw refuse();
  }
  if (url.href.length > AVATAR_URL_MAX) throw refuse();
  return url.href;
}

/** A patch from outside: an object with at most the two fields, each checked. */
export function checkProfilePatch(input: unknown): ProfilePatch {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ParleyError('bad_request', 'The profile must be an object');
  }
  const record = input as Record<string, unknown>;
  const patch: ProfilePatch = {};
  if (record['displayName'] !== undefined) patch.displayName = checkDisplayName(record['displayName']);
  if (record['avatarUrl'] !== undefined) patch.avatarUrl = checkAvatarUrl(record['avatarUrl']);
  return patch;
}

/**
 * Profile values from an identity provider's claims (a site JWT's `name` and `picture`): each kept when valid,
 * dropped (and named in `rejected`) when not. A claim that is absent changes nothing.
 */
export function profileFromClaims(claims: { name?: unknown; picture?: unknown }): {
  patch: ProfilePatch;
  rejected: ProfileField[];
} {
  const patch: ProfilePatch = {};
  const rejected: ProfileField[] = [];
  const take = (field: ProfileField, value: unknown, check: (v: unknown) => string | null) => {
    if (value === undefined || value === null) return;
    try {
      patch[field] = check(value);
    } catch {
      rejected.push(field);
    }
  };
  take('displayName', claims.name, checkDisplayName);
  take('avatarUrl', claims.picture, checkAvatarUrl);
  return { patch, rejected };
}

/** The patch applied to a profile. */
export function patchProfile(profile: Profile, patch: ProfilePatch): Profile {
  return {
    displayName: patch.displayName === undefined ? profile.displayName : patch.displayName,
    avatarUrl: patch.avatarUrl === undefined ? profile.avatarUrl : patch.avatarUrl,
  };
}

/** Whether the patch changes the profile. */
export function changesProfile(profile: Profile, patch: ProfilePatch): boolean {
  return PROFILE_FIELDS.some((field) => patch[field] !== undefined && patch[field] !== profile[field]);
}

/**
 * The profile's fields as a user reference carries them: present only when set, so that a user without a
 * profile reads exactly as before.
 */
export function profileFields(profile: Partial<Profile>): { displayName?: string; avatarUrl?: string } {
  return {
    ...(profile.displayName ? { displayName: profile.displayName } : {}),
    ...(profile.avatarUrl ? { avatarUrl: profile.avatarUrl } : {}),
  };
}
