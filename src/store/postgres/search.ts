import type { SearchIndex, SearchRequest, SearchRow } from '../../engine/ports/searchStore.js';
import { toMessage, type MessageRow } from '../rows.js';
import { sql, type Db } from './db.js';
import { COLUMNS, JOINS } from './messageLog.js';

/** An open upper bound for `id < $n`. */
const NO_BOUND = Number.MAX_SAFE_INTEGER;

/**
 * The tsquery text for the words: each one a quoted lexeme (inside quotes `&|!()<>:*` are plain characters),
 * joined by `&` (all required), the last one with `:*` for a prefix match. The words hold only letters and
 * digits; quotes and backslashes are escaped anyway. It reaches the database as a parameter of
 * to_tsquery('simple', …), never as SQL.
 */
export function tsQuery(words: readonly string[], prefix: boolean): string {
  return words
    .map((word, i) => {
      const quoted = `'${word.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
      return prefix && i === words.length - 1 ? `${quoted}:*` : quoted;
    })
    .join(' & ');
}

// The GIN index on search_vector finds the matches; the planner may instead walk the primary key newest first
// and test each row's stored vector when the words are very common (it stops at the limit). Either way the
// text is never scanned. The columns and joins are every read's (messageLog.ts): the author as now, a
// reply's quote and its parent.
export const searchStatement = sql(
  'search.messages',
  `SELECT ${COLUMNS}, r.name AS room_name
   FROM messages m
   JOIN rooms r ON r.id = m.room_id
   ${JOINS}
   WHERE m.search_vector @@ to_tsquery('simple'::regconfig, $1)
     AND m.app_id = $2 AND m.id < $3 AND m.deleted_at IS NULL
     AND ($4::bigint IS NULL OR m.room_id = $4)
     AND ($5::boolean OR r.visibility = 'public'
          OR EXISTS (SELECT 1 FROM room_members rm WHERE rm.room_id = m.room_id AND rm.user_id = $6))
   ORDER BY m.id DESC
   LIMIT $7`,
);

export class PostgresSearchIndex implements SearchIndex {
  constructor(private readonly db: Db) {}

  async search(request: SearchRequest): Promise<SearchRow[]> {
    if (request.words.length === 0) return [];
    const rows = await this.db.query<MessageRow & { room_name: string }>(searchStatement, [
      tsQuery(request.words, request.prefix),
      request.appId,
      request.beforeId ?? NO_BOUND,
      request.roomId ?? null,
      request.viewer === null || request.viewer.everyRoom,
      request.viewer?.userId ?? 0,
      Math.max(Math.trunc(request.limit), 0),
    ]);
    return rows.map((row) => ({ message: toMessage(row), roomName: row.room_name }));
  }
}
