import { badField } from './failures.js';

/** The longest slow-mode interval a room may have: six hours. 0 turns slow mode off. */
export const MAX_SLOW_MODE_SECONDS = 6 * 60 * 60;

export function checkSlowModeSeconds(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_SLOW_MODE_SECONDS) {
    throw badField('seconds', `seconds must be a whole number from 0 (off) to ${MAX_SLOW_MODE_SECONDS}`);
  }
  return value;
}

/**
 * How long a user must still wait in a room with `seconds` of slow mode whose last message there was at
 * `lastAt` (0: may send now). The interval counts from the last message's commit time.
 */
export function slowModeWait(seconds: number, lastAt: number | null, now: number): number {
  if (seconds <= 0 || lastAt === null) return 0;
  return Math.max(0, lastAt + seconds * 1000 - now);
}
