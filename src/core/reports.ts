import { ParleyError } from './errors.js';
import { badField } from './failures.js';
import { checkMinutes, checkReason } from './moderation.js';
import type { ReportSettings } from './types.js';

/** Why a user reports a message. */
export const REPORT_REASONS = ['spam', 'abuse', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

/** Why a message is in the moderation queue: a user's report, or the post pipeline held it for review. */
export type QueueReason = ReportReason | 'held';

/** How a moderator resolves a queue entry: leave the message be, or act on it or its author. */
export const REPORT_ACTIONS = ['dismiss', 'delete', 'mute', 'ban'] as const;
export type ReportAction = (typeof REPORT_ACTIONS)[number];

/** The longest text a reporter may add to the reason. */
export const REPORT_TEXT_MAX = 500;
/** The most queue entries one page holds, and the page when none is asked for. */
export const QUEUE_PAGE_MAX = 50;
export const QUEUE_PAGE_DEFAULT = 20;
/** Messages shown before and after a reported one in its queue entry. */
export const QUEUE_CONTEXT = 2;
/** The most reporters a queue entry lists (the count stays exact). */
export const QUEUE_REPORTERS_MAX = 20;
/** The most distinct reporters the auto-hide threshold may ask for. */
export const HIDE_AFTER_MAX = 100;

export const DEFAULT_REPORT_SETTINGS: ReportSettings = { hideAfter: 3, establishedAfterHours: 24 };

export interface ReportInput {
  reason: ReportReason;
  text: string;
}

export function checkReport(input: { reason?: unknown; text?: unknown }): ReportInput {
  const reason = input.reason;
  if (typeof reason !== 'string' || !(REPORT_REASONS as readonly string[]).includes(reason)) {
    throw badField('reason', `reason must be one of ${REPORT_REASONS.join(', ')}`);
  }
  const text = input.text ?? '';
  if (typeof text !== 'string' || text.length > REPORT_TEXT_MAX) {
    throw badField('text', `text must be a string of at most ${REPORT_TEXT_MAX} characters`);
  }
  return { reason: reason as ReportReason, text: text.trim() };
}

export interface Resolution {
  action: ReportAction;
  /** For `mute` and `ban`: how long; null until lifted. */
  minutes: number | null;
  reason: string;
}

export function checkResolution(input: {
  action?: unknown;
  minutes?: unknown;
  reason?: unknown;
}): Resolution {
  const action = input.action;
  if (typeof action !== 'string' || !(REPORT_ACTIONS as readonly string[]).includes(action)) {
    throw badField('action', `action must be one of ${REPORT_ACTIONS.join(', ')}`);
  }
  return {
    action: action as ReportAction,
    minutes: checkMinutes(input.minutes),
    reason: checkReason(input.reason),
  };
}

/** The number of queue entries a page asks for, bounded. */
export function checkQueueLimit(value: unknown): number {
  if (value === undefined || value === null) return QUEUE_PAGE_DEFAULT;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > QUEUE_PAGE_MAX) {
    throw badField('limit', `limit must be a whole number from 1 to ${QUEUE_PAGE_MAX}`);
  }
  return value;
}

export const QUEUE_REASONS: readonly QueueReason[] = [...REPORT_REASONS, 'held'];

/** A queue filter's reason, checked. */
export function checkQueueReason(value: unknown): QueueReason {
  if (typeof value !== 'string' || !(QUEUE_REASONS as readonly string[]).includes(value)) {
    throw badField('reason', `reason must be one of ${QUEUE_REASONS.join(', ')}`);
  }
  return value as QueueReason;
}

/** Whether an account counts toward auto-hide: not a guest, and old enough. */
export function establishedBefore(settings: ReportSettings, now: number): number {
  return now - settings.establishedAfterHours * 3_600_000;
}

export const cannotReportOwn = () => new ParleyError('forbidden', 'You cannot report your own message');
export const notInQueue = () => new ParleyError('not_found', 'This message has no open entry in the queue');
