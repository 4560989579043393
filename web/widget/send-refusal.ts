/** What a refused send means for the widget: the line under the message, and what changes about writing. */
import { ParleyClientError } from '../../src/client/index.js';

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

export function sendRefusal(err: unknown, slowModeSeconds: number): SendRefusal {
  const error = err instanceof ParleyClientError ? err : null;
  switch (error?.code) {
    case 'guest_read_only':
      return { text: null, readOnly: true };
    case 'muted':
      return { text: 'Not sent: you are muted.', mutedUntil: numberDetail(error, 'expiresAt') ?? null };
    case 'rate_limited':
      return { text: 'Not sent: you are writing too fast.' };
    case 'slow_mode': {
      const waitMs = numberDetail(error, 'retryAfterMs') ?? slowModeSeconds * 1000;
      return { text: `Not sent: slow mode, wait ${Math.max(1, Math.ceil(waitMs / 1000))} s.`, waitMs };
    }
    case 'message_filtered':
      return { text: `Not sent: ${error.message}` };
    case 'too_long':
      return { text: 'Not sent: the message is too long.' };
    default:
      return { text: `Not sent: ${err instanceof Error ? err.message : String(err)}` };
  }
}
