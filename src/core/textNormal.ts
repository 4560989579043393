/**
 * The form the word filter matches on (core/contentFilter.ts): case folded, accents stripped (NFKD, marks
 * dropped), common look-alikes read as the letter they stand for, and everything that is not a letter or a
 * digit read as a separator and left out, so that `B.a-d`, `b a d` and `bäd` all read `bad`. Each normalised
 * letter remembers where it came from in the original, so that a match can be masked there, and whether a
 * separator (or an end of the text) stands before and after it, so that a phrase can be held to whole words.
 * One pass over the text, a bounded amount of work per character.
 */

/**
 * Look-alikes read as letters. `1`, `l`, `|` and `i` are one letter to the filter (so `1`, which stands for
 * either, needs no guess): phrases are normalised the same way, so `hello` and `he11o` match each other.
 */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  l: 'i',
  '|': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
};

/** A character whose decomposition is longer than this contributes only its first letters (U+FDFA has 18). */
export const MAX_LETTERS_PER_CHARACTER = 4;

const MARK = /\p{M}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

export interface NormalText {
  /** The normalised letters and digits, as code points; separators are left out. */
  codes: number[];
  /** For each letter, the UTF-16 offsets in the original text of the character it came from: [start, end). */
  start: number[];
  end: number[];
  /** For each letter: a separator or the start of the text comes right before it. */
  wordStart: boolean[];
  /** For each letter: a separator or the end of the text comes right after it. */
  wordEnd: boolean[];
}

/** The letters one original character reads as (none for a separator), at most MAX_LETTERS_PER_CHARACTER. */
function lettersOf(ch: string): readonly string[] {
  const code = ch.charCodeAt(0);
  return ch.length === 1 && code < ASCII.length ? (ASCII[code] as readonly string[]) : decomposed(ch);
}

function decomposed(ch: string): string[] {
  const out: string[] = [];
  for (const part of ch.normalize('NFKD')) {
    if (MARK.test(part)) continue;
    for (const lower of part.toLowerCase()) {
      if (MARK.test(lower)) continue;
      const letter = LOOK_ALIKES[lower] ?? lower;
      if (LETTER_OR_DIGIT.test(letter)) out.push(letter);
      if (out.length === MAX_LETTERS_PER_CHARACTER) return out;
    }
  }
  return out;
}

/** ASCII's answers worked out once: most text is ASCII, and decomposing it is most of the filter's time. */
const ASCII: readonly (readonly string[])[] = Array.from({ length: 128 }, (_, code) =>
  decomposed(String.fromCharCode(code)),
);

export function normalise(text: string): NormalText {
  const result: NormalText = { codes: [], start: [], end: [], wordStart: [], wordEnd: [] };
  let offset = 0;
  let afterSeparator = true;
  for (const ch of text) {
    const letters = lettersOf(ch);
    const last = result.codes.length - 1;
    if (letters.length === 0) {
      if (last >= 0) result.wordEnd[last] = true;
      afterSeparator = true;
    }
    for (const letter of letters) {
      result.codes.push(letter.codePointAt(0) ?? 0);
      result.start.push(offset);
      result.end.push(offset + ch.length);
      result.wordStart.push(afterSeparator);
      result.wordEnd.push(false);
      afterSeparator = false;
    }
    offset += ch.length;
  }
  if (result.codes.length > 0) result.wordEnd[result.codes.length - 1] = true;
  return result;
}

/** A phrase as the filter stores it: its normalised letters (empty when it has none). */
export function normalisePhrase(phrase: string): number[] {
  return normalise(phrase).codes;
}
