import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOriginAllowed } from '../../src/core/apps.js';
import { renderMarkdown } from '../../src/core/markdown.js';
import { checkMessageText } from '../../src/core/messages.js';
import { canModerate, ROLES } from '../../src/core/roles.js';
import { TokenBucket } from '../../src/core/tokenBucket.js';

describe('core rules', () => {
  it('[roles.order] staff act only on roles strictly below their own', () => {
    expect(canModerate('mod', 'member')).toBe(true);
    expect(canModerate('mod', 'guest')).toBe(true);
    expect(canModerate('mod', 'mod')).toBe(false);
    expect(canModerate('mod', 'admin')).toBe(false);
    expect(canModerate('admin', 'mod')).toBe(true);
    expect(canModerate('owner', 'admin')).toBe(true);
    expect(canModerate('member', 'guest')).toBe(false);
    for (const r of ROLES) expect(canModerate(r, r)).toBe(false);
  });

  it('[bucket] allows the burst, then refills at the rate', () => {
    const bucket = new TokenBucket(2, 1, 0);
    expect(bucket.take(0).ok).toBe(true);
    expect(bucket.take(0).ok).toBe(true);
    const refused = bucket.take(0);
    expect(refused).toEqual({ ok: false, retryAfterMs: 1000 });
    expect(bucket.take(999).ok).toBe(false);
    expect(bucket.take(2000).ok).toBe(true);
  });

  it('[text.trim] text is trimmed and counted in code points', () => {
    expect(checkMessageText('  hi  ', 10)).toBe('hi');
    expect(checkMessageText('😀😀', 2)).toBe('😀😀');
    expect(() => checkMessageText('😀😀😀', 2)).toThrow(/longer/);
  });

  it('[markdown.safe] no input produces a tag outside the safe subset or an unsafe link', () => {
    const allowed = new Set([
      'p',
      'em',
      'strong',
      's',
      'code',
      'pre',
      'blockquote',
      'ul',
      'ol',
      'li',
      'a',
      'br',
    ]);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 120 }),
          fc.constantFrom(
            '<script>alert(1)</script>',
            '<img src=x onerror=alert(1)>',
            '[x](javascript:alert(1))',
            '[x](JaVaScRiPt:alert(1))',
            '<a href="javascript:alert(1)">x</a>',
            '![img](http://x/y.png)',
            '[x](data:text/html;base64,PHNjcmlwdD4=)',
          ),
        ),
        (text) => {
          const html = renderMarkdown(text);
          for (const [, tag] of html.matchAll(/<\/?([a-zA-Z0-9]+)/g))
            expect(allowed.has(tag ?? '')).toBe(true);
          for (const [tag] of html.matchAll(/<[a-z][^>]*>/gi)) {
            expect(tag).not.toMatch(/\son\w+=/i);
            expect(tag).not.toMatch(/href="(?!https?:|mailto:)/i);
          }
        },
      ),
    );
  });

  it('[origins] apps narrow the server list and never widen it', () => {
    expect(isOriginAllowed(undefined, ['https://a.com'], null)).toBe(true);
    expect(isOriginAllowed('https://a.com', null, null)).toBe(true);
    expect(isOriginAllowed('https://a.com', ['https://a.com'], null)).toBe(true);
    expect(isOriginAllowed('https://b.com', ['https://a.com'], null)).toBe(false);
    expect(isOriginAllowed('https://b.com', ['https://a.com'], ['https://b.com'])).toBe(false);
    expect(isOriginAllowed('https://a.com', null, ['https://b.com'])).toBe(false);
  });
});
