import { badField } from '../core/failures.js';
import { checkHistoryLimit, checkSeq } from '../core/messages.js';
import type { HistoryPage, HistoryQuery } from './api.js';
import type { MessageView } from './events.js';

/** A page of a seq-ordered stream as the store reads it. */
export interface SeqRange {
  afterSeq?: number;
  beforeSeq?: number;
  limit: number;
}

/** A history-like query checked: `before` or `after` (not both), and the page size. */
export function seqRange(query: HistoryQuery): SeqRange {
  const limit = checkHistoryLimit(query.limit);
  const before = checkSeq(query.before, 'before');
  const after = checkSeq(query.after, 'after');
  if (before !== undefined && after !== undefined) throw badField('before', 'give before or after, not both');
  const range: SeqRange = { limit };
  if (before !== undefined) range.beforeSeq = before;
  if (after !== undefined) range.afterSeq = after;
  return range;
}

/** The page with its cursor: the seq to pass for the next page, null when this one was not full. */
export function seqPage(messages: MessageView[], range: SeqRange): HistoryPage {
  let nextCursor: number | null = null;
  if (messages.length === range.limit) {
    nextCursor =
      range.afterSeq !== undefined
        ? (messages[messages.length - 1]?.seq ?? null)
        : (messages[0]?.seq ?? null);
  }
  return { messages, nextCursor };
}
