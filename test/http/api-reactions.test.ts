import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { historyPageSchema, messageSchema, reactionCountSchema } from '../../src/http/schemas.js';
import { RecordingSink } from '../helpers/engine.js';
import { bodyOf, createHttpHarness, errorOf, type HttpHarness } from './harness.js';

let h: HttpHarness;
beforeEach(async () => {
  h = await createHttpHarness();
});
afterEach(async () => {
  await h.close();
});

const published = z.strictObject({ message: messageSchema, duplicate: z.boolean() });
const reactionResult = z.strictObject({
  messageId: z.number(),
  emoji: z.string(),
  count: z.number(),
  changed: z.boolean(),
  reactions: z.array(reactionCountSchema),
});

const THUMBS = encodeURIComponent('👍');
const PARTY = encodeURIComponent('🎉');

async function publish(username: string, text: string): Promise<number> {
  const res = await h.call('POST', '/api/v1/apps/1/rooms/lobby/messages', {
    admin: true,
    body: { username, text },
  });
  return bodyOf(res, published).message.id;
}

function reactionUrl(id: number, emoji: string): string {
  return `/api/v1/apps/1/rooms/lobby/messages/${id}/reactions/${emoji}`;
}

describe('reactions over the HTTP API', () => {
  it('adds (idempotently) and removes a reaction as an existing user; the room is told; history counts', async () => {
    const id = await publish('ann', 'hello');
    await publish('bob', 'hi ann');
    const principal = await h.engine.authenticate(1, {
      kind: 'token',
      token: (await h.engine.issueToken(1, 'ann')).token,
    });
    const sink = new RecordingSink();
    const session = h.engine.openSession(principal, sink);
    await session.join('lobby');

    const put = await h.call('PUT', reactionUrl(id, THUMBS), { admin: true, body: { username: 'bob' } });
    expect(put.statusCode).toBe(200);
    expect(bodyOf(put, reactionResult)).toEqual({
      messageId: id,
      emoji: '👍',
      count: 1,
      changed: true,
      reactions: [{ emoji: '👍', count: 1, me: true }],
    });
    const told = await sink.next('reaction_changed');
    expect(told).toMatchObject({
      messageId: id,
      emoji: '👍',
      count: 1,
      added: true,
      room: { name: 'lobby' },
    });
    expect(told.user.username).toBe('bob');

    const again = await h.call('PUT', reactionUrl(id, THUMBS), { admin: true, body: { username: 'bob' } });
    expect(bodyOf(again, reactionResult)).toMatchObject({ count: 1, changed: false });
    await h.call('PUT', reactionUrl(id, PARTY), { admin: true, body: { username: 'ann' } });
    await h.call('PUT', reactionUrl(id, THUMBS), { admin: true, body: { username: 'ann' } });

    // The operator's history has the counts, without `me` (it is no one's answer).
    const history = bodyOf(
      await h.call('GET', '/api/v1/apps/1/rooms/lobby/messages', { admin: true }),
      historyPageSchema,
    );
    expect(history.messages.find((m) => m.id === id)?.reactions).toEqual([
      { emoji: '👍', count: 2 },
      { emoji: '🎉', count: 1 },
    ]);
    expect(history.messages.find((m) => m.id !== id)?.reactions).toEqual([]);
    // A session's history has `me`.
    const page = await session.history('lobby', {});
    expect(page.messages.find((m) => m.id === id)?.reactions).toEqual([
      { emoji: '👍', count: 2, me: true },
      { emoji: '🎉', count: 1, me: true },
    ]);

    const removed = await h.call('DELETE', reactionUrl(id, THUMBS), {
      admin: true,
      body: { username: 'bob' },
    });
    expect(bodyOf(removed, reactionResult)).toMatchObject({ count: 1, changed: true });
    expect(await sink.next('reaction_changed', (e) => !e.added)).toMatchObject({ emoji: '👍', count: 1 });
    const noop = await h.call('DELETE', reactionUrl(id, THUMBS), { admin: true, body: { username: 'bob' } });
    expect(noop.statusCode).toBe(200);
    expect(bodyOf(noop, reactionResult)).toMatchObject({ count: 1, changed: false });
    expect(sink.of('reaction_changed')).toHaveLength(4);
    session.close();
  });

  it('refuses what is not one emoji, unknown users, deleted messages, and needs the admin key', async () => {
    const id = await publish('ann', 'hello');
    for (const emoji of ['a', '👍👍', ':+1:', 'x'.repeat(40)]) {
      const res = await h.call('PUT', reactionUrl(id, encodeURIComponent(emoji)), {
        admin: true,
        body: { username: 'ann' },
      });
      expect(res.statusCode, emoji.slice(0, 10)).toBe(400);
      expect(errorOf(res).details?.['field']).toBe('emoji');
    }
    // A path segment over the router's 100 characters is refused before the route, without a field.
    const huge = await h.call('PUT', reactionUrl(id, 'x'.repeat(200)), {
      admin: true,
      body: { username: 'ann' },
    });
    expect(huge.statusCode).toBe(400);
    expect(errorOf(huge).code).toBe('bad_request');
    const ghost = await h.call('PUT', reactionUrl(id, THUMBS), { admin: true, body: { username: 'ghost' } });
    expect(ghost.statusCode).toBe(404);
    const missing = await h.call('PUT', reactionUrl(id + 100, THUMBS), {
      admin: true,
      body: { username: 'ann' },
    });
    expect(missing.statusCode).toBe(404);
    expect((await h.call('PUT', reactionUrl(id, THUMBS), { body: { username: 'ann' } })).statusCode).toBe(
      401,
    );
    expect((await h.call('PUT', reactionUrl(id, THUMBS), { admin: true, body: {} })).statusCode).toBe(400);

    await h.call('DELETE', `/api/v1/apps/1/rooms/lobby/messages/${id}`, { admin: true });
    const deleted = await h.call('PUT', reactionUrl(id, THUMBS), { admin: true, body: { username: 'ann' } });
    expect(deleted.statusCode).toBe(404);
  });

  it('holds the app to maxReactionEmoji (too_many_reactions), and refuses muted and banned users', async () => {
    const patched = await h.call('PATCH', '/api/v1/apps/1', {
      admin: true,
      body: { settings: { maxReactionEmoji: 2 } },
    });
    expect(patched.statusCode).toBe(200);
    const bad = await h.call('PATCH', '/api/v1/apps/1', {
      admin: true,
      body: { settings: { maxReactionEmoji: 0 } },
    });
    expect(errorOf(bad).details?.['field']).toBe('settings.maxReactionEmoji');
    const id = await publish('ann', 'hello');
    await publish('bob', 'hello');
    for (const emoji of [THUMBS, PARTY]) {
      expect(
        (await h.call('PUT', reactionUrl(id, emoji), { admin: true, body: { username: 'ann' } })).statusCode,
      ).toBe(200);
    }
    const third = await h.call('PUT', reactionUrl(id, encodeURIComponent('🚀')), {
      admin: true,
      body: { username: 'ann' },
    });
    expect(third.statusCode).toBe(409);
    expect(errorOf(third)).toMatchObject({ code: 'too_many_reactions', details: { max: 2 } });

    await h.call('POST', '/api/v1/apps/1/mutes', { admin: true, body: { username: 'bob', room: 'lobby' } });
    const muted = await h.call('PUT', reactionUrl(id, THUMBS), { admin: true, body: { username: 'bob' } });
    expect(errorOf(muted).code).toBe('muted');
    await h.call('POST', '/api/v1/apps/1/bans', { admin: true, body: { username: 'ann' } });
    const banned = await h.call('DELETE', reactionUrl(id, THUMBS), {
      admin: true,
      body: { username: 'ann' },
    });
    expect(errorOf(banned).code).toBe('banned');
  });
});
