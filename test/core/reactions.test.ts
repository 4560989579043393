import { describe, expect, it } from 'vitest';
import { ParleyError } from '../../src/core/errors.js';
import { checkEmoji, EMOJI_MAX_LENGTH, isEmoji } from '../../src/core/reactions.js';

describe('one emoji a reaction', () => {
  it('accepts exactly one RGI emoji: single, skin tone, flag, keycap, tag and ZWJ sequences', () => {
    for (const emoji of ['👍', '🙂', '❤️', '👍🏽', '🇫🇷', '#️⃣', '1️⃣', '🏴󠁧󠁢󠁥󠁮󠁧󠁿', '👨‍👩‍👧‍👦', '🏳️‍🌈', '👩🏻‍❤️‍💋‍👨🏼']) {
      expect(isEmoji(emoji), emoji).toBe(true);
      expect(checkEmoji(emoji)).toBe(emoji);
    }
  });

  it('refuses everything else with bad_request naming emoji', () => {
    const refused: unknown[] = [
      '',
      'a',
      '1',
      '#',
      '©',
      '❤',
      '👍👍',
      '👍 ',
      ' 👍',
      ':+1:',
      '\u200d',
      'x'.repeat(EMOJI_MAX_LENGTH + 1),
      '👍'.repeat(100),
      42,
      null,
      undefined,
      ['👍'],
    ];
    for (const value of refused) {
      expect(typeof value === 'string' && isEmoji(value), JSON.stringify(value)).toBe(false);
      let caught: unknown = null;
      try {
        checkEmoji(value);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ParleyError);
      expect((caught as ParleyError).code).toBe('bad_request');
      expect((caught as ParleyError).details).toEqual({ field: 'emoji' });
    }
  });
});
