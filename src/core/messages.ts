import { ParleyError } from './errors.js';

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
