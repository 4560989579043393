/**
 * Data protection's rules (docs/data-protection.md): what an erased author is called, the bounds of an export,
 * an erasure and the retention purge.
 */

/**
 * The name an erased user's messages show (with the tombstone author id 0). It has a space, which no username
 * may have, so it never names a real user.
 */
export const ERASED_AUTHOR_NAME = 'deleted user';

/** Rows read from the store per page of an export: what the server holds of one export at a time. */
export const EXPORT_PAGE = 500;

/** Messages erased per transaction; a pause between them lets sends through. */
export const ERASE_BATCH = 500;

/** Messages purged per transaction by retention. */
export const RETENTION_BATCH = 500;

/** The longest retention (100 years); the shortest is one day. */
export const RETENTION_DAYS_MAX = 36_500;

export const DAY_MS = 86_400_000;

/** The most erasure records listed at once. */
export const ERASURES_LIST_MAX = 200;
