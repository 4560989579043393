/**
 * Full-text search of messages: what a query may be, the words it is made of, and how a hit is highlighted.
 * The stores never see the query as the user typed it: they get the words below (letters and digits only,
 * lower-cased) and quote each one for their own syntax, so no FTS5 or tsquery operator in the input can reach
 * the database as syntax. Matching is by whole words, without regard to case, all words required, the last one
 * also as a prefix ("hel" finds "hello"); see docs/storage.md ("Search").
 */
import { badField } from './failures.js';
import { escapeHtml } from './html.js';

/** A query is 1-200 characters (code points, as message lengths are counted); beyond: `bad_request` (`q`). */
export const SEARCH_QUERY_MAX = 200;
/** A page holds at most this many hits; a request that names no limit gets the default. */
export const SEARCH_LIMIT_MAX = 50;
export const SEARCH_LIMIT_DEFAULT = 20;

/** A word: a run of letters and digits (Unicode); everything else separates words. */
const WORD = /[\p{L}\p{N}]+/gu;

export interface SearchTerms {
  /** The query's words, lower-cased, in order, without repeats; empty when the query holds no word at all. */
  words: string[];
  /** The last word also matches as a prefix. */
  prefix: boolean;
}

/** The words of a text as search sees them (lower-cased). */
export function wordsOf(text: string): string[] {
  return (text.match(WORD) ?? []).map((word) => word.toLowerCase());
}

/**
 * Checks a query and splits it into words. Not a string, empty (after trimming) or over SEARCH_QUERY_MAX code
 * points: `bad_request` with field `q`. A query of punctuation only is valid and has no words: it finds nothing.
 */
export function parseSearchQuery(value: unknown): SearchTerms {
  if (typeof value !== 'string') throw badField('q', 'q must be a string');
  const q = value.trim();
  if (q.length === 0) throw badField('q', 'q must not be empty');
  if ([...q].length > SEARCH_QUERY_MAX) {
    throw badField('q', `q must be at most ${SEARCH_QUERY_MAX} characters`);
  }
  const words = [...new Set(wordsOf(q))];
  return { words, prefix: words.length > 0 };
}

export function checkSearchLimit(value: unknown): number {
  if (value === undefined || value === null) return SEARCH_LIMIT_DEFAULT;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > SEARCH_LIMIT_MAX) {
    throw badField('limit', `limit must be a whole number from 1 to ${SEARCH_LIMIT_MAX}`);
  }
  return value;
}

/** The paging cursor: a message id (hits are newest first, so the next page is the hits with smaller ids). */
export function checkSearchCursor(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw badField('before', 'before must be a message id (a whole number from 1)');
  }
  return value;
}

function matches(word: string, terms: SearchTerms): boolean {
  const last = terms.words[terms.words.length - 1];
  return terms.words.includes(word) || (terms.prefix && last !== undefined && word.startsWith(last));
}

/**
 * The message's text, HTML-escaped, with every word the query matched wrapped in `<mark>…</mark>` (the whole
 * word, also for a prefix match). Safe to insert as HTML.
 */
export function highlight(text: string, terms: SearchTerms): string {
  let out = '';
  let at = 0;
  for (const found of text.matchAll(WORD)) {
    const word = found[0];
    const start = found.index;
    if (!matches(word.toLowerCase(), terms)) continue;
    out += `${escapeHtml(text.slice(at, start))}<mark>${escapeHtml(word)}</mark>`;
    at = start + word.length;
  }
  return out + escapeHtml(text.slice(at));
}
