import { badField } from './failures.js';
import type { ModerationKind } from './types.js';

/** The longest a mute or a ban can be given for (a year); longer is "until lifted". */
export const MAX_MODERATION_MINUTES = 60 * 24 * 365;
export const MAX_REASON = 500;

export function checkMinutes(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_MODERATION_MINUTES) {
    throw badField('minutes', `minutes must be a whole number from 1 to ${MAX_MODERATION_MINUTES}`);
  }
  return value;
}

export function checkReason(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string' || value.length > MAX_REASON) {
    throw badField('reason', `reason must be a string of at most ${MAX_REASON} characters`);
  }
  return value.trim();
}

/** Every kind of moderation record, once each (the compiler holds it to ModerationKind). */
export const MODERATION_KINDS = Object.keys({
  mute: 1,
  unmute: 1,
  ban: 1,
  unban: 1,
  kick: 1,
  delete_message: 1,
  role: 1,
  pin: 1,
  unpin: 1,
  shadow_mute: 1,
  unshadow_mute: 1,
  report_resolved: 1,
  warn: 1,
} satisfies Record<ModerationKind, 1>) as [ModerationKind, ...ModerationKind[]];
