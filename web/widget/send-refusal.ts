/** What a refused send means for the widget: the line under the message, and what changes about writing. */
import { ParleyClientError } from '../../src/client/index.js';
import { textsFor, type Texts } from './i18n/texts.js';

export interface SendRefusal {
  /** Under the unsent message; null: the message is dropped quietly (the composer says why instead). */
  text: string | null;
  /** Guests may not write here. */
  readOnly?: true;
  /** Muted: until then (null: until unmuted). */
  mutedUntil?: number | null;
  /** Slow mode: the next send may go in this many ms. */
  waitMs?: number;
}

function numberDetail(error: ParleyClientError, key: string): number | undefined {
  const value = error.details?.[key];
  return typeof value === 'number' ? value : undefined;
}

export function sendRefusal(
  err: unknown,
  slowModeSeconds: number,
  texts: Texts = textsFor('en'),
): SendRefusal {
  const error = err instanceof ParleyClientError ? err : null;
  switch (error?.code) {
    case 'guest_read_only':
      return { text: null, readOnly: true };
    case 'muted':
      return { text: texts.t('notSentMuted'), mutedUntil: numberDetail(error, 'expiresAt') ?? null };
    case 'rate_limited':
      return { text: texts.t('notSentFast') };
    case 'slow_mode': {
      const waitMs = numberDetail(error, 'retryAfterMs') ?? slowModeSeconds * 1000;
      return { text: texts.t('notSentSlow', { seconds: Math.max(1, Math.ceil(waitMs / 1000)) }), waitMs };
    }
    case 'message_filtered':
      return { text: texts.t('notSent', { reason: error.message }) };
    case 'too_long':
      return { text: texts.t('notSentLong') };
    default:
      return { text: texts.t('notSent', { reason: err instanceof Error ? err.message : String(err) }) };
  }
}
