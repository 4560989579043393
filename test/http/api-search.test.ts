import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { searchPageSchema } from '../../src/http/routes/search.js';
import { messageSchema } from '../../src/http/schemas.js';
import { bodyOf, createHttpHarness, errorOf, type HttpHarness } from './harness.js';

let h: HttpHarness;
beforeEach(async () => {
  h = await createHttpHarness();
});
afterEach(async () => {
  await h.close();
});

const published = z.strictObject({ message: messageSchema, duplicate: z.boolean() });

async function room(name: string, visibility: 'public' | 'private' = 'public'): Promise<void> {
  const res = await h.call('POST', '/api/v1/apps/1/rooms', { admin: true, body: { name, visibility } });
  expect(res.statusCode).toBe(201);
}

async function publish(roomName: string, text: string): Promise<number> {
  const res = await h.call('POST', `/api/v1/apps/1/rooms/${encodeURIComponent(roomName)}/messages`, {
    admin: true,
    body: { username: 'writer', text },
  });
  expect(res.statusCode).toBe(201);
  return bodyOf(res, published).message.id;
}

function search(query: string, admin = true) {
  return h.call('GET', `/api/v1/apps/1/search?${query}`, { admin });
}

describe('GET /api/v1/apps/:app/search', () => {
  it('searches every room of the app with the admin key, private rooms included, newest first', async () => {
    await room('plaza');
    await room('staff', 'private');
    const open = await publish('plaza', 'Quarterly **report** is out');
    const hidden = await publish('staff', 'report <draft> for review');
    await publish('plaza', 'unrelated');

    const page = bodyOf(await search('q=REPORT'), searchPageSchema);
    expect(page.hits.map((hit) => [hit.message.id, hit.message.room])).toEqual([
      [hidden, 'staff'],
      [open, 'plaza'],
    ]);
    expect(page.hits[0]?.highlight).toBe('<mark>report</mark> &lt;draft&gt; for review');
    expect(page.nextCursor).toBeNull();

    const onlyPlaza = bodyOf(await search('q=rep&room=plaza'), searchPageSchema);
    expect(onlyPlaza.hits.map((hit) => hit.message.id)).toEqual([open]);

    const first = bodyOf(await search('q=report&limit=1'), searchPageSchema);
    expect(first.hits.map((hit) => hit.message.id)).toEqual([hidden]);
    expect(first.nextCursor).toBe(hidden);
    const second = bodyOf(await search(`q=report&limit=1&before=${hidden}`), searchPageSchema);
    expect(second.hits.map((hit) => hit.message.id)).toEqual([open]);

    const deleted = await h.call('DELETE', `/api/v1/apps/1/rooms/staff/messages/${hidden}`, { admin: true });
    expect(deleted.statusCode).toBe(200);
    expect(bodyOf(await search('q=report'), searchPageSchema).hits.map((hit) => hit.message.id)).toEqual([
      open,
    ]);
  });

  it('needs the admin key; refuses bad input with the field; unknown app or room is not_found', async () => {
    expect((await search('q=x', false)).statusCode).toBe(401);
    for (const query of ['', 'q=', `q=${'y'.repeat(201)}`, 'q=%20%20']) {
      const res = await search(query);
      expect(res.statusCode, query).toBe(400);
      expect(errorOf(res).details?.['field'], query).toBe('q');
    }
    const badLimit = await search('q=x&limit=51');
    expect(errorOf(badLimit).details?.['field']).toBe('limit');
    const badCursor = await search('q=x&before=0');
    expect(errorOf(badCursor).details?.['field']).toBe('before');
    expect((await search('q=x&extra=1')).statusCode).toBe(400);
    expect((await h.call('GET', '/api/v1/apps/9/search?q=x', { admin: true })).statusCode).toBe(404);
    expect(errorOf(await search('q=x&room=nowhere')).code).toBe('not_found');
  });

  it('treats operators and SQL in the query as plain words: 200 with results or none, never 500', async () => {
    await room('plaza');
    const target = await publish('plaza', 'near and or not drop table');
    const hostile = [
      '"',
      "'",
      'NEAR(',
      '*',
      '^',
      ':',
      'AND OR NOT',
      '&|!()',
      '\\',
      "'; DROP TABLE messages; --",
      'near:* & !drop',
      '🙂',
    ];
    for (const q of hostile) {
      const res = await search(`q=${encodeURIComponent(q)}`);
      expect(res.statusCode, q).toBe(200);
      const ids = bodyOf(res, searchPageSchema).hits.map((hit) => hit.message.id);
      expect(
        ids.every((id) => id === target),
        q,
      ).toBe(true);
    }
    const sql = bodyOf(await search(`q=${encodeURIComponent("'; DROP TABLE")}`), searchPageSchema);
    expect(sql.hits.map((hit) => hit.message.id)).toEqual([target]);
  });
});
