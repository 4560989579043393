import { ParleyError } from './errors.js';
import { badField } from './failures.js';
import type { MessageId } from './types.js';

/** How much of the parent's text a reply quotes: its first characters (code points), as a person counts them. */
export const REPLY_EXCERPT_MAX = 200;

/** The quote a reply keeps of its parent's text. */
export function replyExcerpt(text: string): string {
  const chars = [...text];
  return chars.length <= REPLY_EXCERPT_MAX ? text : chars.slice(0, REPLY_EXCERPT_MAX).join('');
}

/** `replyTo` of a send: absent or null for a message that answers nothing, else a message id. */
export function checkReplyTo(value: unknown): MessageId | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw badField('replyTo', 'replyTo must be a message id');
  }
  return value;
}

/**
 * A reply's parent must be a message of the same room that is not deleted: one in another room, one that does
 * not exist and one that was deleted are refused alike.
 */
export const replyParentNotFound = () =>
  new ParleyError('not_found', 'No message to reply to with that id in this room', { field: 'replyTo' });
