import { describe, expect, it } from 'vitest';
import { ParleyError } from '../../src/core/errors.js';
import {
  checkSearchCursor,
  checkSearchLimit,
  highlight,
  parseSearchQuery,
  SEARCH_LIMIT_DEFAULT,
} from '../../src/core/search.js';

function fieldOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err instanceof ParleyError && err.code === 'bad_request' ? err.details?.['field'] : err;
  }
  return 'no error';
}

describe('search queries', () => {
  it('splits a query into lower-case words of letters and digits; everything else separates', () => {
    expect(parseSearchQuery('  Hello, WORLD!  ')).toEqual({ words: ['hello', 'world'], prefix: true });
    expect(parseSearchQuery('NEAR("a" b)* ^c:d AND e|f&!g')).toEqual({
      words: ['near', 'a', 'b', 'c', 'd', 'and', 'e', 'f', 'g'],
      prefix: true,
    });
    expect(parseSearchQuery("'; DROP TABLE x; --").words).toEqual(['drop', 'table', 'x']);
    expect(parseSearchQuery('Привіт café 2024 ǅemal').words).toEqual(['привіт', 'café', '2024', 'ǆemal']);
    expect(parseSearchQuery('a a A').words).toEqual(['a']);
    // Punctuation only: valid, with no word to look for.
    expect(parseSearchQuery('"*" ()')).toEqual({ words: [], prefix: false });
  });

  it('refuses a query that is not a string, empty after trimming, or over 200 characters (field q)', () => {
    expect(fieldOf(() => parseSearchQuery(''))).toBe('q');
    expect(fieldOf(() => parseSearchQuery(' \n\t '))).toBe('q');
    expect(fieldOf(() => parseSearchQuery(42))).toBe('q');
    expect(fieldOf(() => parseSearchQuery(undefined))).toBe('q');
    expect(fieldOf(() => parseSearchQuery('x'.repeat(201)))).toBe('q');
    expect(parseSearchQuery('x'.repeat(200)).words).toHaveLength(1);
    // Code points, not UTF-16 units: 200 emoji and a word are 202 characters, 150 are fine.
    expect(fieldOf(() => parseSearchQuery(`${'🙂'.repeat(200)} ab`))).toBe('q');
    expect(parseSearchQuery(`${'🙂'.repeat(150)} ab`).words).toEqual(['ab']);
  });

  it('checks the limit (1-50, default 20) and the cursor (a message id)', () => {
    expect(checkSearchLimit(undefined)).toBe(SEARCH_LIMIT_DEFAULT);
    expect(checkSearchLimit(50)).toBe(50);
    for (const bad of [0, 51, 1.5, '5']) expect(fieldOf(() => checkSearchLimit(bad))).toBe('limit');
    expect(checkSearchCursor(undefined)).toBeUndefined();
    expect(checkSearchCursor(7)).toBe(7);
    for (const bad of [0, -1, 2.5, '7']) expect(fieldOf(() => checkSearchCursor(bad))).toBe('before');
  });
});

describe('highlight', () => {
  it('marks every matched word, the last query word also as a prefix, and escapes the rest', () => {
    const terms = parseSearchQuery('quick fo');
    expect(highlight('The QUICK brown fox & the <b>quick</b> "fog"', terms)).toBe(
      'The <mark>QUICK</mark> brown <mark>fox</mark> &amp; the &lt;b&gt;<mark>quick</mark>&lt;/b&gt; &quot;<mark>fog</mark>&quot;',
    );
    // Only the last word is a prefix: "quickly" is not marked for "quick".
    expect(highlight('quickly fo', terms)).toBe('quickly <mark>fo</mark>');
    expect(highlight("it's <script>", parseSearchQuery('zzz'))).toBe('it&#39;s &lt;script&gt;');
    expect(highlight('café Café CAFÉ cafe', parseSearchQuery('café'))).toBe(
      '<mark>café</mark> <mark>Café</mark> <mark>CAFÉ</mark> cafe',
    );
    expect(highlight('', parseSearchQuery('x'))).toBe('');
  });
});
