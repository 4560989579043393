import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PINS_MAX } from '../../src/core/pins.js';
import {
  historyPageSchema,
  messageSchema,
  moderationRecordSchema,
  pinSchema,
} from '../../src/http/schemas.js';
import { bodyOf, createHttpHarness, errorOf, type HttpHarness } from './harness.js';

let h: HttpHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const LOBBY = '/api/v1/apps/1/rooms/lobby';
const published = z.strictObject({ message: messageSchema, duplicate: z.boolean() });

async function publish(harness: HttpHarness, text: string, replyTo?: number) {
  const body = replyTo === undefined ? { username: 'writer', text } : { username: 'writer', text, replyTo };
  return harness.call('POST', `${LOBBY}/messages`, { admin: true, body });
}

async function publishOk(harness: HttpHarness, text: string, replyTo?: number) {
  const res = await publish(harness, text, replyTo);
  expect(res.statusCode).toBe(201);
  return bodyOf(res, published).message;
}

describe('REST replies', () => {
  it('publishes a reply with its quote, counts it, pages the thread and refuses a bad replyTo', async () => {
    h = await createHttpHarness();
    const parent = await publishOk(h, 'the question');
    const replies = [];
    for (let i = 1; i <= 3; i++) replies.push(await publishOk(h, `answer ${i}`, parent.id));
    expect(replies[0]?.replyTo).toEqual({
      id: parent.id,
      author: parent.author,
      excerpt: 'the question',
      deleted: false,
    });

    const history = bodyOf(await h.call('GET', `${LOBBY}/messages`, { admin: true }), historyPageSchema);
    expect(history.messages.find((m) => m.id === parent.id)?.replyCount).toBe(3);

    const url = `${LOBBY}/messages/${parent.id}/replies`;
    const newest = bodyOf(await h.call('GET', `${url}?limit=2`, { admin: true }), historyPageSchema);
    expect(newest.messages.map((m) => m.text)).toEqual(['answer 2', 'answer 3']);
    const older = bodyOf(
      await h.call('GET', `${url}?limit=2&before=${newest.nextCursor}`, { admin: true }),
      historyPageSchema,
    );
    expect(older).toEqual({ messages: [expect.objectContaining({ text: 'answer 1' })], nextCursor: null });
    expect((await h.call('GET', url)).statusCode).toBe(401);
    expect(
      (await h.call('GET', `${LOBBY}/messages/${parent.id + 1000}/replies`, { admin: true })).statusCode,
    ).toBe(404);

    const missing = await publish(h, 'to nothing', parent.id + 1000);
    expect(missing.statusCode).toBe(404);
    expect(errorOf(missing)).toMatchObject({ code: 'not_found', details: { field: 'replyTo' } });
    const malformed = await publish(h, 'to nonsense', -1 as number);
    expect(malformed.statusCode).toBe(400);
    expect(errorOf(malformed).details).toMatchObject({ field: 'replyTo' });
  });
});

describe('REST pins', () => {
  it('pins as the operator, lists, unpins, records it, and holds the bound', async () => {
    h = await createHttpHarness();
    const message = await publishOk(h, 'pin me');
    const pinned = await h.call('PUT', `${LOBBY}/pins/${message.id}`, { admin: true });
    expect(pinned.statusCode).toBe(200);
    const pin = bodyOf(pinned, z.strictObject({ pin: pinSchema })).pin;
    expect(pin).toMatchObject({ message: { id: message.id, text: 'pin me' }, pinnedBy: null });

    const list = bodyOf(
      await h.call('GET', `${LOBBY}/pins`, { admin: true }),
      z.strictObject({ pins: z.array(pinSchema) }),
    );
    expect(list.pins.map((p) => p.message.id)).toEqual([message.id]);

    expect((await h.call('DELETE', `${LOBBY}/pins/${message.id}`, { admin: true })).statusCode).toBe(204);
    expect((await h.call('GET', `${LOBBY}/pins`, { admin: true })).json()).toEqual({ pins: [] });
    expect((await h.call('PUT', `${LOBBY}/pins/${message.id + 1000}`, { admin: true })).statusCode).toBe(404);
    expect((await h.call('PUT', `${LOBBY}/pins/${message.id}`)).statusCode).toBe(401);

    const records = bodyOf(
      await h.call('GET', '/api/v1/apps/1/moderation', { admin: true }),
      z.strictObject({ records: z.array(moderationRecordSchema), nextCursor: z.number().nullable() }),
    ).records;
    expect(records.slice(0, 2).map((r) => [r.kind, r.detail.messageId, r.actorId])).toEqual([
      ['unpin', message.id, null],
      ['pin', message.id, null],
    ]);

    for (let i = 0; i < PINS_MAX; i++) {
      const next = await publishOk(h, `pinned ${i}`);
      expect((await h.call('PUT', `${LOBBY}/pins/${next.id}`, { admin: true })).statusCode).toBe(200);
    }
    const refused = await h.call('PUT', `${LOBBY}/pins/${message.id}`, { admin: true });
    expect(refused.statusCode).toBe(409);
    expect(errorOf(refused)).toMatchObject({ code: 'conflict', details: { max: PINS_MAX } });

    // Deleting a pinned message unpins it, which frees a place.
    const first = list.pins[0]?.message.id ?? 0;
    const all = bodyOf(
      await h.call('GET', `${LOBBY}/pins`, { admin: true }),
      z.strictObject({ pins: z.array(pinSchema) }),
    ).pins;
    const victim = all[0]?.message.id ?? 0;
    expect((await h.call('DELETE', `${LOBBY}/messages/${victim}`, { admin: true })).statusCode).toBe(200);
    expect((await h.call('PUT', `${LOBBY}/pins/${first}`, { admin: true })).statusCode).toBe(200);
  });
});
