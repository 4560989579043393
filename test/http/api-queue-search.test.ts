/**
 * Hostile input against the search of the moderation queue (GET /reports?q=…, docs/moderation.md): whatever a
 * moderator's console sends, the answer is a page or a bad_request, never a server error, and a page holds only
 * entries whose message has every word. Operators of the stores' text indexes, SQL, LIKE wildcards, regular
 * expression traps, lone surrogates and NULs are just text.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wordsOf } from '../../src/core/search.js';
import { queuePageSchema } from '../../src/http/reportSchemas.js';
import { RecordingSink } from '../helpers/engine.js';
import { NO_FLOOD } from '../native/helpers.js';
import { bodyOf, createHttpHarness, errorOf, type HttpHarness } from './harness.js';

let h: HttpHarness;
const TEXTS = [
  'cheap pills here',
  'buy cheap watches now',
  'you are rude',
  'NEAR AND OR NOT',
  '100% off _today_',
  "it's (a+)+$ fine",
  'ünïcödé wörds',
  'zzz',
];
const queued: number[] = [];

beforeAll(async () => {
  h = await createHttpHarness();
  await h.engine.updateApp(1, {
    settings: { ...NO_FLOOD, reports: { hideAfter: 100, establishedAfterHours: 0 } },
  });
  await h.engine.createUser(1, { username: 'author' });
  await h.engine.createUser(1, { username: 'reporter' });
  const { token } = await h.engine.issueToken(1, 'reporter');
  const principal = await h.engine.authenticate(1, { kind: 'token', token });
  const session = h.engine.openSession(principal, new RecordingSink(), {
    transport: 'test',
    dialect: 'native',
  });
  await session.join('lobby');
  for (const text of TEXTS) {
    const result = await h.engine.publish(1, 'lobby', { username: 'author', text });
    if (result.kind !== 'message') throw new Error('expected a message');
    await session.reports.report('lobby', result.message.id, { reason: 'spam' });
    queued.push(result.message.id);
  }
});
afterAll(async () => {
  await h.close();
});

async function search(q: string) {
  return h.call('GET', `/api/v1/apps/1/reports?limit=50&q=${encodeURIComponent(q)}`, { admin: true });
}

/** What the query should find: every word in the message's words, the last one also as a prefix. */
function expected(q: string): number[] {
  const words = [...new Set(wordsOf(q))];
  if (words.length === 0) return [];
  return TEXTS.flatMap((text, i) => {
    const have = wordsOf(text);
    const ok = words.every((w, j) =>
      j === words.length - 1 ? have.some((x) => x.startsWith(w)) : have.includes(w),
    );
    return ok ? [queued[i] as number] : [];
  }).reverse();
}

describe('searching the moderation queue with hostile input', () => {
  it('[api.reports.queue-search] operators, SQL and wildcards are text; the answer holds exactly the matches', async () => {
    const hostile = [
      'cheap',
      'CHEAP*',
      '"cheap',
      'cheap" OR "rude',
      'NEAR(cheap rude, 1)',
      'near and or not',
      "'; DROP TABLE report_queue; --",
      '%',
      '_%_',
      '100%',
      '(a+)+$',
      `${'a'.repeat(199)}!`,
      Array.from({ length: 100 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(' '),
      'cheap\u0000pills',
      '\u202Echeap',
      'ÜNÏCÖDÉ',
      '***',
      '',
      ' ',
    ];
    for (const q of hostile) {
      const res = await search(q);
      if (q.trim() === '') {
        expect(errorOf(res)).toMatchObject({ code: 'bad_request' });
        continue;
      }
      expect(res.statusCode, q).toBe(200);
      const ids = bodyOf(res, queuePageSchema).entries.map((e) => e.message.id);
      expect(ids, q).toEqual(expected(q));
    }
    // Bytes that are not UTF-8 (a lone surrogate, a stray continuation byte, a cut sequence) and a bare `%`.
    for (const raw of ['%ED%A0%80cheap', '%80cheap', 'cheap%E2%82', 'cheap%', '%%']) {
      const res = await h.call('GET', `/api/v1/apps/1/reports?q=${raw}`, { admin: true });
      expect([200, 400], raw).toContain(res.statusCode);
      if (res.statusCode === 400) expect(errorOf(res).code).toBe('bad_request');
    }
    // Nothing above reached the database as syntax: the queue is whole.
    const all = bodyOf(
      await h.call('GET', '/api/v1/apps/1/reports?limit=50', { admin: true }),
      queuePageSchema,
    );
    expect(all.entries.map((e) => e.message.id)).toEqual([...queued].reverse());
  });

  it('[api.reports.queue-search-bounds] queries past the bound are refused before any lookup', async () => {
    for (const q of ['x'.repeat(201), '😀'.repeat(201), 'a '.repeat(400)]) {
      const res = await search(q);
      expect(res.statusCode).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: 'bad_request' });
    }
    expect((await search('😀'.repeat(200))).statusCode).toBe(200);
  });

  it('[api.reports.queue-search-any] any string gets a page of true matches or a bad_request, never a failure', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), async (q) => {
        const res = await search(q);
        if (res.statusCode === 400) {
          expect(errorOf(res).code).toBe('bad_request');
          return;
        }
        expect(res.statusCode).toBe(200);
        expect(bodyOf(res, queuePageSchema).entries.map((e) => e.message.id)).toEqual(expected(q));
      }),
      { numRuns: 150 },
    );
  });
});
