import type { FailureLockPolicy } from './failureLock.js';

/**
 * Limits on password guessing and account creation, per app. A password is checked (an expensive hash) only
 * while neither the account nor the caller's address is locked; past the limits the caller gets `rate_limited`
 * with the wait, before any hashing.
 */
export interface SignInLimits {
  /** Wrong passwords for one account before it is locked (from any address). */
  failuresPerAccount: number;
  /** Wrong passwords from one address (for any accounts) before the address is locked. */
  failuresPerAddress: number;
  /** The first lock; every further lock of the same account or address doubles it, up to an hour. */
  lockSeconds: number;
  /** New accounts one address may register in an hour. */
  registrationsPerAddressPerHour: number;
  /**
   * New guest identities one address may create in a minute (a nickname new to the app); a guest that comes
   * back with its resume token is not new. Absent in apps stored before it existed: the default applies.
   */
  guestsPerAddressPerMinute?: number;
}

export const DEFAULT_GUESTS_PER_ADDRESS_PER_MINUTE = 30;
export const MINUTE_MS = 60 * 1000;

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  failuresPerAccount: 5,
  failuresPerAddress: 20,
  lockSeconds: 60,
  registrationsPerAddressPerHour: 10,
  guestsPerAddressPerMinute: DEFAULT_GUESTS_PER_ADDRESS_PER_MINUTE,
};

export const MAX_LOCK_MS = 60 * 60 * 1000;
/** A key with no failure for this long starts over (count and lock doubling). */
export const FORGET_FAILURES_MS = 15 * 60 * 1000;

export function lockPolicy(limits: SignInLimits, by: 'account' | 'address'): FailureLockPolicy {
  return {
    maxFailures: by === 'account' ? limits.failuresPerAccount : limits.failuresPerAddress,
    lockMs: limits.lockSeconds * 1000,
    maxLockMs: MAX_LOCK_MS,
    forgetMs: Math.max(FORGET_FAILURES_MS, limits.lockSeconds * 1000),
  };
}

export const HOUR_MS = 60 * 60 * 1000;

/** Registrations count as "failures" of an address: past the hourly number it waits out the hour. */
export function registrationPolicy(limits: SignInLimits): FailureLockPolicy {
  return {
    maxFailures: limits.registrationsPerAddressPerHour,
    lockMs: HOUR_MS,
    maxLockMs: HOUR_MS,
    forgetMs: HOUR_MS,
  };
}
