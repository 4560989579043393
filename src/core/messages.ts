import { ParleyError } from './errors.js';
import { badField } from './failures.js';

export const CLIENT_MSG_ID_MAX = 64;

/** Trim and length-check message text; the length is counted in code points, as a person counts it. */
export function checkMessageText(value: unknown, maxLength: number): string {
  if (typeof value !== 'string')
    throw new ParleyError('bad_request', 'text must be a string', { field: 'text' });
  const text = value.trim();
  if (text.length === 0) throw new ParleyError('bad_request', 'text must not be empty', { field: 'text' });
  const length = [...text].length;
  if (length > maxLength) {
    throw new ParleyError('too_long', `text is longer than ${maxLength} characters`, {
      max: maxLength,
      length,
    });
  }
  return text;
}

export function checkClientMsgId(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > CLIENT_MSG_ID_MAX) {
    throw new ParleyError(
      'bad_request',
      `clientMsgId must be a string of 1-${CLIENT_MSG_ID_MAX} characters`,
      {
        field: 'clientMsgId',
      },
    );
  }
  return value;
}

/** A history page holds at most this many messages; a request that names no limit gets the default. */
export const HISTORY_MAX = 200;
export const HISTORY_DEFAULT = 50;

export function checkHistoryLimit(value: unknown): number {
  if (value === undefined || value === null) return HISTORY_DEFAULT;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > HISTORY_MAX) {
    throw badField('limit', `limit must be a whole number from 1 to ${HISTORY_MAX}`);
  }
  return value;
}

/** A position in a room's stream (history cursors, the seq a resuming join starts after). */
export function checkSeq(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw badField(field, `${field} must be a seq (a whole number)`);
  }
  return value;
}

export function checkMessageId(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw badField('id', 'id must be a message id');
  }
  return value;
}

export function checkTyping(value: unknown): boolean {
  if (typeof value !== 'boolean') throw badField('typing', 'typing must be a boolean');
  return value;
}
