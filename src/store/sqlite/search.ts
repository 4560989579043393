import type Database from 'better-sqlite3';
import type { SearchIndex, SearchRequest, SearchRow } from '../../engine/ports/searchStore.js';
import { toMessage, type MessageRow } from '../rows.js';
import { guard } from './errors.js';
import { COLUMNS, JOINS } from './messageLog.js';

/** An open upper bound for `rowid < ?`. */
const NO_BOUND = Number.MAX_SAFE_INTEGER;

/**
 * The FTS5 query for the words: each one a quoted string (an FTS5 string is never an operator: `NEAR`, `AND`,
 * `*`, `^`, `:` and parentheses inside it are just characters to tokenize), joined by spaces (all required),
 * the last one with `*` for a prefix match. The words hold only letters and digits; quotes are doubled anyway.
 */
export function ftsQuery(words: readonly string[], prefix: boolean): string {
  return words
    .map((word, i) => {
      const quoted = `"${word.replaceAll('"', '""')}"`;
      return prefix && i === words.length - 1 ? `${quoted}*` : quoted;
    })
    .join(' ');
}

// The index drives the query: matches come from messages_fts newest first (rowid = messages.id, descending)
// and the joins only check app, room, deletion and visibility for each, stopping at the limit. The columns
// and joins are every read's (messageLog.ts): the author as now, a reply's quote and its parent.
export const SEARCH_SQL = `
  SELECT ${COLUMNS}, r.name AS room_name
  FROM messages_fts
  JOIN messages m ON m.id = messages_fts.rowid
  JOIN rooms r ON r.id = m.room_id
  ${JOINS}
  WHERE messages_fts MATCH @match AND messages_fts.rowid < @before
    AND m.app_id = @appId AND m.deleted_at IS NULL
    AND (@roomId IS NULL OR m.room_id = @roomId)
    AND (@everyRoom = 1 OR r.visibility = 'public'
         OR EXISTS (SELECT 1 FROM room_members rm WHERE rm.room_id = m.room_id AND rm.user_id = @userId))
  ORDER BY messages_fts.rowid DESC
  LIMIT @limit`;

interface SearchParams {
  match: string;
  before: number;
  appId: number;
  roomId: number | null;
  everyRoom: 0 | 1;
  userId: number;
  limit: number;
}

export class SqliteSearchIndex implements SearchIndex {
  private readonly query: Database.Statement<SearchParams, MessageRow & { room_name: string }>;

  constructor(private readonly db: Database.Database) {
    this.query = db.prepare<SearchParams, MessageRow & { room_name: string }>(SEARCH_SQL);
  }

  async search(request: SearchRequest): Promise<SearchRow[]> {
    if (request.words.length === 0) return [];
    return guard(this.db, () =>
      this.query
        .all({
          match: ftsQuery(request.words, request.prefix),
          before: request.beforeId ?? NO_BOUND,
          appId: request.appId,
          roomId: request.roomId ?? null,
          everyRoom: request.viewer === null || request.viewer.everyRoom ? 1 : 0,
          userId: request.viewer?.userId ?? 0,
          limit: Math.max(Math.trunc(request.limit), 0),
        })
        .map((row) => ({ message: toMessage(row), roomName: row.room_name })),
    );
  }
}
