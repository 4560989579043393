import type { MessageId, ReactionCount, UserId } from '../core/types.js';

/** One emoji of one message as both stores' summary query returns it. */
export interface ReactionSummaryRow {
  message_id: number;
  emoji: string;
  n: number;
  /** Whether the reader is among them: 1/0 (SQLite) or true/false/null (PostgreSQL). */
  me: number | boolean | null;
}

/** The rows (ordered by message, then most used, then first use) as the port's map; `me` only with a reader. */
export function summaryMap(
  rows: readonly ReactionSummaryRow[],
  readerId: UserId | null,
): Map<MessageId, ReactionCount[]> {
  const map = new Map<MessageId, ReactionCount[]>();
  for (const row of rows) {
    const entry: ReactionCount = { emoji: row.emoji, count: row.n };
    if (readerId !== null) entry.me = row.me === true || row.me === 1;
    let list = map.get(row.message_id);
    if (!list) {
      list = [];
      map.set(row.message_id, list);
    }
    list.push(entry);
  }
  return map;
}
