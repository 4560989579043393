import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { historyPageSchema, messageSchema, roomSchema } from '../../src/http/schemas.js';
import { RecordingSink } from '../helpers/engine.js';
import { bodyOf, createHttpHarness, errorOf, type HttpHarness } from './harness.js';

let h: HttpHarness;
beforeEach(async () => {
  h = await createHttpHarness();
});
afterEach(async () => {
  await h.close();
});

const roomList = z.strictObject({ rooms: z.array(roomSchema) });
const published = z.strictObject({ message: messageSchema, duplicate: z.boolean() });

describe('rooms', () => {
  it('creates rooms, refuses a taken name, and lists private rooms only to the admin', async () => {
    const res = await h.call('POST', '/api/v1/apps/1/rooms', {
      admin: true,
      body: { name: 'general chat', topic: 'Hi' },
    });
    expect(res.statusCode).toBe(201);
    expect(bodyOf(res, roomSchema)).toMatchObject({
      name: 'general chat',
      visibility: 'public',
      topic: 'Hi',
      lastSeq: 0,
    });
    const secret = await h.call('POST', '/api/v1/apps/1/rooms', {
      admin: true,
      body: { name: 'staff', visibility: 'private' },
    });
    expect(secret.statusCode).toBe(201);

    const taken = await h.call('POST', '/api/v1/apps/1/rooms', {
      admin: true,
      body: { name: 'General Chat' },
    });
    expect(taken.statusCode).toBe(409);
    expect(errorOf(taken).code).toBe('conflict');
    const bad = await h.call('POST', '/api/v1/apps/1/rooms', { admin: true, body: { name: 'a/b' } });
    expect(bad.statusCode).toBe(400);
    const badVisibility = await h.call('POST', '/api/v1/apps/1/rooms', {
      admin: true,
      body: { name: 'x', visibility: 'hidden' },
    });
    expect(errorOf(badVisibility).details?.['field']).toBe('visibility');

    const publicList = bodyOf(await h.call('GET', '/api/v1/apps/1/rooms'), roomList);
    expect(publicList.rooms.map((r) => r.name)).toEqual(['lobby', 'general chat']);
    const adminList = bodyOf(await h.call('GET', '/api/v1/apps/1/rooms', { admin: true }), roomList);
    expect(adminList.rooms.map((r) => r.name)).toEqual(['lobby', 'general chat', 'staff']);
    const wrongKey = await h.call('GET', '/api/v1/apps/1/rooms', {
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrongKey.statusCode).toBe(401);
    expect((await h.call('GET', '/api/v1/apps/5/rooms')).statusCode).toBe(404);
  });

  it('updates and deletes rooms by their URL-encoded name', async () => {
    await h.call('POST', '/api/v1/apps/1/rooms', { admin: true, body: { name: 'general chat' } });
    const patched = await h.call('PATCH', '/api/v1/apps/1/rooms/general%20chat', {
      admin: true,
      body: { name: 'news', topic: 'Today', visibility: 'private' },
    });
    expect(patched.statusCode).toBe(200);
    expect(bodyOf(patched, roomSchema)).toMatchObject({
      name: 'news',
      topic: 'Today',
      visibility: 'private',
    });
    expect(
      (await h.call('PATCH', '/api/v1/apps/1/rooms/news', { admin: true, body: { name: 'lobby' } }))
        .statusCode,
    ).toBe(409);
    expect(
      (await h.call('PATCH', '/api/v1/apps/1/rooms/general%20chat', { admin: true, body: {} })).statusCode,
    ).toBe(404);

    const deleted = await h.call('DELETE', '/api/v1/apps/1/rooms/news', { admin: true });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect((await h.call('DELETE', '/api/v1/apps/1/rooms/news', { admin: true })).statusCode).toBe(404);
  });

  it('adds members to private rooms', async () => {
    await h.call('POST', '/api/v1/apps/1/rooms', {
      admin: true,
      body: { name: 'staff', visibility: 'private' },
    });
    await h.call('POST', '/api/v1/apps/1/users', { admin: true, body: { username: 'mia' } });
    const principal = await h.engine.authenticate(1, {
      kind: 'token',
      token: (await h.engine.issueToken(1, 'mia')).token,
    });
    const session = h.engine.openSession(principal, new RecordingSink());
    await expect(session.join('staff')).rejects.toMatchObject({
      code: expect.stringMatching(/^(forbidden|not_found)$/),
    });

    const added = await h.call('POST', '/api/v1/apps/1/rooms/staff/members', {
      admin: true,
      body: { username: 'mia' },
    });
    expect(added.statusCode).toBe(204);
    await expect(session.join('staff')).resolves.toMatchObject({ room: { name: 'staff' } });
    session.close();

    expect(
      (
        await h.call('POST', '/api/v1/apps/1/rooms/staff/members', {
          admin: true,
          body: { username: 'ghost' },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await h.call('POST', '/api/v1/apps/1/rooms/nope/members', { admin: true, body: { username: 'mia' } }))
        .statusCode,
    ).toBe(404);
  });
});

describe('messages', () => {
  it('publishes and pages through history in both directions', async () => {
    for (let i = 1; i <= 7; i++) {
      const res = await h.call('POST', '/api/v1/apps/1/rooms/lobby/messages', {
        admin: true,
        body: { username: 'bot', text: `message **${i}**` },
      });
      expect(res.statusCode).toBe(201);
      const body = bodyOf(res, published);
      expect(body.duplicate).toBe(false);
      expect(body.message).toMatchObject({ seq: i, room: 'lobby', kind: 'text', text: `message **${i}**` });
      expect(body.message.html).toContain(`<strong>${i}</strong>`);
      expect(body.message.author?.username).toBe('bot');
    }
    const seqs = (page: z.infer<typeof historyPageSchema>) => page.messages.map((m) => m.seq);
    const read = async (query: string) =>
      bodyOf(
        await h.call('GET', `/api/v1/apps/1/rooms/lobby/messages${query}`, { admin: true }),
        historyPageSchema,
      );

    const newest = await read('?limit=3');
    expect(seqs(newest)).toEqual([5, 6, 7]);
    expect(newest.nextCursor).toBe(5);
    const back = await read(`?limit=3&before=${newest.nextCursor}`);
    expect(seqs(back)).toEqual([2, 3, 4]);
    const oldest = await read(`?limit=3&before=${back.nextCursor}`);
    expect(seqs(oldest)).toEqual([1]);
    expect(oldest.nextCursor).toBeNull();

    const forward = await read('?after=0&limit=4');
    expect(seqs(forward)).toEqual([1, 2, 3, 4]);
    expect(forward.nextCursor).toBe(4);
    const rest = await read(`?after=${forward.nextCursor}&limit=4`);
    expect(seqs(rest)).toEqual([5, 6, 7]);
    expect(rest.nextCursor).toBeNull();

    expect(seqs(await read(''))).toEqual([1, 2, 3, 4, 5, 6, 7]);

    const both = await h.call('GET', '/api/v1/apps/1/rooms/lobby/messages?before=5&after=1', { admin: true });
    expect(both.statusCode).toBe(400);
    expect(errorOf(both).details?.['field']).toBe('before');
    expect(
      (await h.call('GET', '/api/v1/apps/1/rooms/lobby/messages?limit=201', { admin: true })).statusCode,
    ).toBe(400);
    expect(
      (await h.call('GET', '/api/v1/apps/1/rooms/lobby/messages?before=-1', { admin: true })).statusCode,
    ).toBe(400);
    expect((await h.call('GET', '/api/v1/apps/1/rooms/nope/messages', { admin: true })).statusCode).toBe(404);
  });

  it('delivers a published message to connected clients', async () => {
    const principal = await h.engine.authenticate(1, { kind: 'guest', nickname: 'watcher' });
    const sink = new RecordingSink();
    const session = h.engine.openSession(principal, sink);
    await session.join('lobby');
    await h.call('POST', '/api/v1/apps/1/rooms/lobby/messages', {
      admin: true,
      body: { username: 'bot', text: 'hello' },
    });
    const event = await sink.next('message');
    expect(event.message.text).toBe('hello');
    session.close();
  });

  it('is idempotent on clientMsgId, refuses too long text and does not run slash commands', async () => {
    const body = { username: 'bot', text: 'once', clientMsgId: 'abc-1' };
    const first = await h.call('POST', '/api/v1/apps/1/rooms/lobby/messages', { admin: true, body });
    expect(first.statusCode).toBe(201);
    const second = await h.call('POST', '/api/v1/apps/1/rooms/lobby/messages', { admin: true, body });
    expect(second.statusCode).toBe(200);
    const repeated = bodyOf(second, published);
    expect(repeated.duplicate).toBe(true);
    expect(repeated.message.id).toBe(bodyOf(first, published).message.id);

    await h.call('PATCH', '/api/v1/apps/1', { admin: true, body: { settings: { maxMessageLength: 10 } } });
    const long = await h.call('POST', '/api/v1/apps/1/rooms/lobby/messages', {
      admin: true,
      body: { username: 'bot', text: 'x'.repeat(11) },
    });
    expect(long.statusCode).toBe(413);
    expect(errorOf(long).code).toBe('too_long');

    const command = await h.call('POST', '/api/v1/apps/1/rooms/lobby/messages', {
      admin: true,
      body: { username: 'bot', text: '/ban bot' },
    });
    expect(command.statusCode).toBe(201);
    expect(bodyOf(command, published).message.text).toBe('/ban bot');

    const empty = await h.call('POST', '/api/v1/apps/1/rooms/lobby/messages', {
      admin: true,
      body: { username: 'bot', text: '' },
    });
    expect(errorOf(empty).details?.['field']).toBe('text');
  });

  it('deletes a message', async () => {
    const posted = bodyOf(
      await h.call('POST', '/api/v1/apps/1/rooms/lobby/messages', {
        admin: true,
        body: { username: 'bot', text: 'oops' },
      }),
      published,
    );
    const res = await h.call('DELETE', `/api/v1/apps/1/rooms/lobby/messages/${posted.message.id}`, {
      admin: true,
    });
    expect(res.statusCode).toBe(200);
    const { message } = bodyOf(res, z.strictObject({ message: messageSchema }));
    expect(message).toMatchObject({ id: posted.message.id, seq: 1, text: '', html: '' });
    expect(message.deletedAt).not.toBeNull();

    const page = bodyOf(
      await h.call('GET', '/api/v1/apps/1/rooms/lobby/messages', { admin: true }),
      historyPageSchema,
    );
    expect(page.messages[0]?.deletedAt).not.toBeNull();
    expect(
      (await h.call('DELETE', '/api/v1/apps/1/rooms/lobby/messages/999', { admin: true })).statusCode,
    ).toBe(404);
    expect(
      (await h.call('DELETE', '/api/v1/apps/1/rooms/lobby/messages/x', { admin: true })).statusCode,
    ).toBe(400);
  });
});
