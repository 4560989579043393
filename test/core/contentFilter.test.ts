import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FILTER,
  MAX_FILTER_RULES,
  MAX_PHRASE_LENGTH,
  screen,
  screenPhrases,
  type FilterRule,
  type FilterSettings,
} from '../../src/core/contentFilter.js';
import { countLinks } from '../../src/core/links.js';
import { PhraseMatcher } from '../../src/core/phraseMatcher.js';
import { normalise, normalisePhrase } from '../../src/core/textNormal.js';

const settings = (rules: FilterRule[], extra: Partial<FilterSettings> = {}): FilterSettings => ({
  ...DEFAULT_FILTER,
  rules,
  ...extra,
});
const text = (codes: number[]) => String.fromCodePoint(...codes);
const member = (ageHours = 1000) => ({ role: 'member' as const, ageHours: () => Promise.resolve(ageHours) });

describe('normalisation', () => {
  it('folds case, strips accents, reads look-alikes and drops separators', () => {
    expect(text(normalise('B.a-D_ w0rd').codes)).toBe('badword');
    expect(text(normalise('BÄD Ŵórd').codes)).toBe('badword');
    expect(text(normalise('$h1t @ss 3v1l 4 5').codes)).toBe('shitasseviias');
    // 1, l, | and i read as one letter, on both sides.
    expect(text(normalisePhrase('hello'))).toBe(text(normalisePhrase('he11o')));
    // Compatibility forms (full-width, ligatures) read as their letters.
    expect(text(normalise('ＢＡＤ ﬁne').codes)).toBe('badfine');
  });

  it('maps every letter back to the character it came from', () => {
    const n = normalise('x b.a.d!');
    expect(n.start).toEqual([0, 2, 4, 6]);
    expect(n.end).toEqual([1, 3, 5, 7]);
    expect(n.wordStart).toEqual([true, true, true, true]);
    expect(n.wordEnd).toEqual([true, true, true, true]);
  });

  it('property: phrases match themselves however they are spaced, cased or accented', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z]{2,12}$/),
        fc.constantFrom('.', '-', '_', ' ', ''),
        (word, sep) => {
          const variant = [...word].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join(sep);
          const verdict = screenPhrases(settings([{ phrase: word, action: 'reject' }]), `x ${variant} y`);
          expect(verdict.action).toBe('reject');
        },
      ),
    );
  });

  it('reads every ASCII character as its lower-case letter or digit, look-alikes as letters, the rest as nothing', () => {
    const lookAlikes: Record<string, string> = { '0': 'o', '1': 'i', l: 'i', '|': 'i', '3': 'e', '4': 'a' };
    Object.assign(lookAlikes, { '5': 's', '7': 't', '@': 'a', $: 's' });
    for (let code = 0; code < 128; code++) {
      const ch = String.fromCharCode(code);
      const lower = ch.toLowerCase();
      const letter = lookAlikes[lower] ?? lower;
      const expected = /^[a-z0-9]$/.test(letter) ? [letter.charCodeAt(0)] : [];
      expect(normalise(`x${ch}y`).codes, `character ${code}`).toEqual([120, ...expected, 121]);
    }
  });
});

describe('matching', () => {
  it('with no rules, passes the text untouched without reading it', () => {
    const long = 'a bad word, '.repeat(2000);
    expect(screenPhrases(DEFAULT_FILTER, long)).toEqual({
      action: 'pass',
      hold: false,
      text: long,
      matches: [],
      links: 0,
      steps: 0,
    });
  });

  it('matches whole words by default and inside words when asked', () => {
    const word = settings([{ phrase: 'ass', action: 'reject' }]);
    expect(screenPhrases(word, 'a classic class').action).toBe('pass');
    expect(screenPhrases(word, 'you a.s.s').action).toBe('reject');
    const anywhere = settings([{ phrase: 'ass', action: 'reject', match: 'anywhere' }]);
    expect(screenPhrases(anywhere, 'a classic').action).toBe('reject');
  });

  it('masks the matched span of the original text and keeps the rest', () => {
    const verdict = screenPhrases(settings([{ phrase: 'darn', action: 'mask' }]), 'Oh D.A.R.N it, DARN!');
    expect(verdict.action).toBe('mask');
    expect(verdict.text).toBe('Oh ******* it, ****!');
    expect(verdict.matches.map((m) => [m.start, m.end])).toEqual([
      [3, 10],
      [15, 19],
    ]);
  });

  it('the most severe action wins: reject over hold over mask', () => {
    const rules: FilterRule[] = [
      { phrase: 'meh', action: 'mask' },
      { phrase: 'spam', action: 'hold' },
      { phrase: 'slur', action: 'reject' },
    ];
    expect(screenPhrases(settings(rules), 'meh spam').action).toBe('hold');
    expect(screenPhrases(settings(rules), 'meh spam').hold).toBe(true);
    expect(screenPhrases(settings(rules), 'meh spam').text).toBe('*** spam');
    expect(screenPhrases(settings(rules), 'meh spam slur').action).toBe('reject');
    expect(screenPhrases(settings(rules), 'fine').action).toBe('pass');
  });

  it('finds overlapping phrases (failure links)', () => {
    const found: string[] = [];
    const phrases = ['he', 'she', 'his', 'hers'].map((p, id) => ({
      codes: normalisePhrase(p),
      match: 'anywhere' as const,
      severity: 1,
      id,
    }));
    new PhraseMatcher(phrases).scan(normalise('ushers'), (id, from) => found.push(`${id}@${from}`));
    // Per place, the most severe phrase ending there (the longest among equals): `she` over `he`.
    expect(found.sort()).toEqual(['1@1', '3@2']);
    const words = phrases.map((p) => ({ ...p, match: 'word' as const }));
    const whole: string[] = [];
    new PhraseMatcher(words).scan(normalise('she, hers: he!'), (id, from) => whole.push(`${id}@${from}`));
    expect(whole.sort()).toEqual(['0@7', '1@0', '3@3']);
  });

  it('staff are not filtered', async () => {
    const verdict = await screen(settings([{ phrase: 'bad', action: 'reject' }]), 'bad', {
      role: 'mod',
      ageHours: () => Promise.resolve(0),
    });
    expect(verdict.action).toBe('pass');
  });
});

describe('hostile input', () => {
  it('a maximal rule list of overlapping phrases and a long pathological text stay within the work bound', () => {
    // Every length of `a` up to the longest phrase, matched anywhere: the worst case for the output walks.
    const rules: FilterRule[] = Array.from({ length: MAX_FILTER_RULES }, (_, i) => ({
      phrase: 'a'.repeat((i % MAX_PHRASE_LENGTH) + 1) + (i >= MAX_PHRASE_LENGTH ? `b${i}` : ''),
      action: i % 2 ? 'mask' : 'hold',
      match: 'anywhere',
    }));
    const filter = settings(rules);
    const input = 'a'.repeat(100_000) + '!';
    const letters = normalise(input).codes.length;
    const started = performance.now();
    const verdict = screenPhrases(filter, input);
    const elapsed = performance.now() - started;
    expect(verdict.action).toBe('hold');
    // The structural bound: one transition and at most one failure step per letter, and a walk of at most the
    // longest phrase's length at each word end (here one).
    expect(verdict.steps).toBeLessThanOrEqual(2 * letters + MAX_PHRASE_LENGTH);
    expect(verdict.text.startsWith('*'.repeat(100_000))).toBe(true);
    // A generous wall-clock bound for the default message length (2000): measured, so kept loose.
    const short = 'a'.repeat(2000) + '!';
    const t0 = performance.now();
    screenPhrases(filter, short);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(elapsed).toBeLessThan(2000);
  });

  it('whole-word phrases walk only at word ends, however many words', () => {
    const rules: FilterRule[] = Array.from({ length: MAX_FILTER_RULES }, (_, i) => ({
      phrase: 'a'.repeat((i % MAX_PHRASE_LENGTH) + 1),
      action: 'reject',
    }));
    const glued = 'a'.repeat(2000) + 'b!';
    const verdict = screenPhrases(settings(rules), glued);
    expect(verdict.action).toBe('pass');
    expect(verdict.steps).toBeLessThanOrEqual(2 * normalise(glued).codes.length + MAX_PHRASE_LENGTH);
    // The worst case for words: every letter a word end.
    const spaced = 'a '.repeat(1000);
    const n = normalise(spaced).codes.length;
    const words = screenPhrases(settings(rules), spaced);
    expect(words.action).toBe('reject');
    expect(words.steps).toBeLessThanOrEqual(2 * n + n * MAX_PHRASE_LENGTH);
  });
});

describe('links', () => {
  it('finds URLs, www. addresses and bare domains with common TLDs, not e-mail or prose', () => {
    expect(countLinks('see https://example.org/x')).toBe(1);
    expect(countLinks('(www.example.net)')).toBe(1);
    expect(countLinks('go to example.com/path, now')).toBe(1);
    expect(countLinks('EXAMPLE.IO.')).toBe(1);
    expect(countLinks('[x](http://a.b)')).toBe(1);
    expect(countLinks('mail me at a@example.com')).toBe(0);
    expect(countLinks('the end. new sentence, v1.2 and e.g. this')).toBe(0);
  });

  it('applies the link policy: guests, young accounts, staff only', async () => {
    const msg = 'look at example.com';
    const members = settings([], { links: 'members', linkMinAccountAgeHours: 24 });
    const guest = { role: 'guest' as const, ageHours: () => Promise.resolve(1000) };
    expect(await screen(members, msg, guest)).toMatchObject({ action: 'reject', reason: 'link' });
    expect(await screen(members, msg, member(1))).toMatchObject({ action: 'reject', reason: 'link' });
    expect((await screen(members, msg, member(48))).action).toBe('pass');
    expect((await screen(members, 'no link here', guest)).action).toBe('pass');
    const staffOnly = settings([], { links: 'staff' });
    expect((await screen(staffOnly, msg, member())).action).toBe('reject');
    expect((await screen(settings([]), msg, guest)).action).toBe('pass');
  });
});
