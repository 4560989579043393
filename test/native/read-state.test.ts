/**
 * Mentions and read state over both framings with the typed client, against a real server over real sockets:
 * mentions resolved when a message is posted, the `mention` event, unread counts in rooms.list and join,
 * `read` and its event on the user's other connections. The REST view of unread counts runs through inject.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/client/index.js';
import { MAX_MENTIONS } from '../../src/core/mentions.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { createHttpHarness, type HttpHarness } from '../http/harness.js';
import { api, ClientPool, events, NO_FLOOD, patchApp, register, TRANSPORTS } from './helpers.js';

function sent(result: Awaited<ReturnType<ParleyClient['send']>>) {
  if (result.kind !== 'message') throw new Error(`expected a message, got ${result.kind}`);
  return result.message;
}

describe.each(TRANSPORTS)('mentions and read state over %s', (transport) => {
  let srv: TestServer;
  const pool = new ClientPool();
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
    for (const name of ['ann', 'bob', 'cid']) tokens[name] = await register(srv, name, `${name}-password`);
    for (let i = 1; i <= MAX_MENTIONS + 2; i++) {
      await api(srv, 'POST', '/api/v1/apps/1/users', { username: `u${String(i).padStart(2, '0')}` });
    }
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  async function connect(name: string): Promise<ParleyClient> {
    const client = pool.client(srv, transport, { token: tokens[name] ?? '' });
    await client.connect();
    return client;
  }

  it('[proto.mentions] resolves @names of existing users, each once, at most 20, and shows them everywhere', async () => {
    const ann = await connect('ann');
    await ann.createRoom('mentions');
    await ann.join('mentions');
    const message = sent(await ann.send('mentions', 'hi @bob, @BOB and @nobody; mail me@example.com, @cid.'));
    expect(message.mentions.map((u) => u.username)).toEqual(['bob', 'cid']);
    expect(message.mentions[0]).toMatchObject({ role: 'member' });

    const names = Array.from({ length: MAX_MENTIONS + 2 }, (_, i) => `@u${String(i + 1).padStart(2, '0')}`);
    const many = sent(await ann.send('mentions', `@ghost ${names.join(' ')}`));
    expect(many.mentions).toHaveLength(MAX_MENTIONS);
    expect(many.mentions.map((u) => `@${u.username}`)).toEqual(names.slice(0, MAX_MENTIONS));

    const page = await ann.history('mentions');
    expect(page.messages.map((m) => m.mentions.length)).toEqual([2, MAX_MENTIONS]);
    expect(sent(await ann.send('mentions', 'nobody here')).mentions).toEqual([]);
  });

  it('[proto.mentions.edit] an edit resolves the mentions of the new text', async () => {
    const ann = await connect('ann');
    await ann.createRoom('mentions-edit');
    await ann.join('mentions-edit');
    const message = sent(await ann.send('mentions-edit', 'hi @bob'));
    const edited = await ann.edit('mentions-edit', message.id, 'hi @cid, not bob');
    expect(edited.mentions.map((u) => u.username)).toEqual(['cid']);
    const page = await ann.history('mentions-edit');
    expect(page.messages.map((m) => m.mentions.map((u) => u.username))).toEqual([['cid']]);
    expect((await ann.edit('mentions-edit', message.id, 'nobody')).mentions).toEqual([]);
  });

  it('[proto.mentions.event] tells a mentioned user who is online outside the room, if they may see it', async () => {
    const ann = await connect('ann');
    const bob = await connect('bob');
    const cid = await connect('cid');
    await api(srv, 'POST', '/api/v1/apps/1/rooms', { name: 'secret', visibility: 'private' });
    await api(srv, 'POST', '/api/v1/apps/1/rooms/secret/members', { username: 'ann' });
    await ann.createRoom('open');
    await ann.join('open');
    await ann.join('secret');
    await cid.join('open');
    const bobHears = events(bob, 'mention');
    const cidHears = events(cid, 'mention');

    // bob may not see the private room: nothing; then the public one, which he is not in: the event.
    await ann.send('secret', '@bob you cannot see this');
    const message = sent(await ann.send('open', '@bob @cid look at this'));
    const heard = await bobHears.next();
    expect(heard).toEqual({
      room: { id: message.roomId, name: 'open' },
      messageId: message.id,
      author: expect.objectContaining({ username: 'ann' }),
      excerpt: '@bob @cid look at this',
    });
    // cid is in the room (he has the message itself); bob heard nothing of the private room.
    await bob.ping();
    expect(cidHears.items).toEqual([]);
    expect(bobHears.items).toHaveLength(1);
  });

  it('[proto.read] counts unread messages and mentions, clears them with read on every connection', async () => {
    const ann = await connect('ann');
    const bob = await connect('bob');
    const bob2 = await connect('bob');
    await ann.createRoom('reading');
    await ann.join('reading');
    await ann.send('reading', 'before bob ever came');

    // The first join creates bob's marker at the room's last seq: nothing unread.
    const first = await bob.join('reading');
    expect(first.room).toMatchObject({ unread: 0, unreadMentions: 0 });
    const one = sent(await ann.send('reading', 'one'));
    const two = sent(await ann.send('reading', 'two, @bob'));
    const doomed = sent(await ann.send('reading', 'deleted soon'));
    await ann.delete('reading', doomed.id);
    const three = sent(await ann.send('reading', 'three'));

    const listed = (await bob.listRooms()).find((r) => r.name === 'reading');
    expect(listed).toMatchObject({ unread: 3, unreadMentions: 1, lastSeq: three.seq });
    expect((await bob2.join('reading')).room).toMatchObject({ unread: 3, unreadMentions: 1 });
    // A room bob never joined nor wrote in has no counts.
    expect((await bob.listRooms()).find((r) => r.name === 'lobby')?.unread).toBeUndefined();

    const reads = events(bob2, 'read');
    const ownReads = events(bob, 'read');
    expect(await bob.read('reading', two.seq)).toEqual({
      room: 'reading',
      seq: two.seq,
      unread: 1,
      unreadMentions: 0,
    });
    expect(await reads.next()).toEqual({ room: { id: one.roomId, name: 'reading' }, seq: two.seq });
    expect((await bob2.listRooms()).find((r) => r.name === 'reading')).toMatchObject({ unread: 1 });

    // Never back: a lower seq leaves the marker (and says nothing to the other connections).
    expect(await bob.read('reading', one.seq)).toMatchObject({ seq: two.seq, unread: 1 });
    // Past the end: clamped to the room's last seq.
    expect(await bob.read('reading', 1_000_000)).toEqual({
      room: 'reading',
      seq: three.seq,
      unread: 0,
      unreadMentions: 0,
    });
    expect(await reads.next()).toMatchObject({ seq: three.seq });
    expect(reads.items).toHaveLength(2);
    // The connection that read has its answers, not the event as well.
    expect(ownReads.items).toHaveLength(0);

    // Writing marks the room read up to the message written.
    await ann.send('reading', 'four');
    expect((await bob.listRooms()).find((r) => r.name === 'reading')).toMatchObject({ unread: 1 });
    await bob.send('reading', 'mine');
    expect((await bob.listRooms()).find((r) => r.name === 'reading')).toMatchObject({
      unread: 0,
      unreadMentions: 0,
    });

    await expect(bob.read('reading', -1)).rejects.toMatchObject({ code: 'bad_request' });
    await expect(bob.read('no-such-room', 1)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('[proto.read-receipts] where the app has them, the room hears who read what and receipts lists it', async () => {
    const ann = await connect('ann');
    const bob = await connect('bob');
    await ann.createRoom('receipts');
    await ann.join('receipts');
    await bob.join('receipts');
    const last = sent(await ann.send('receipts', 'read me'));
    // Off by default: no event, and receipts answers null.
    expect(await ann.receipts('receipts')).toBeNull();

    await patchApp(srv, { readReceiptsMaxRoomSize: 2 });
    try {
      const receipts = events(ann, 'read_receipt');
      await bob.read('receipts', last.seq);
      expect(await receipts.next()).toEqual({
        room: { id: last.roomId, name: 'receipts' },
        user: expect.objectContaining({ username: 'bob' }),
        seq: last.seq,
      });
      const listed = await ann.receipts('receipts');
      expect(listed?.map((r) => [r.user.username, r.seq])).toEqual([
        ['ann', last.seq],
        ['bob', last.seq],
      ]);
      // A third reader makes the room bigger than the app's limit: no receipts there.
      const cid = await connect('cid');
      await cid.join('receipts');
      await cid.read('receipts', last.seq);
      await waitFor(async () => (await ann.receipts('receipts')) === null);
    } finally {
      await patchApp(srv, { readReceiptsMaxRoomSize: 0 });
    }
  });
});

describe('REST unread', () => {
  let http: HttpHarness;

  beforeAll(async () => {
    http = await createHttpHarness();
  });
  afterAll(async () => {
    await http.close();
  });

  const publish = (username: string, text: string) =>
    http.call('POST', '/api/v1/apps/1/rooms/lobby/messages', { admin: true, body: { username, text } });

  it("[http.unread] answers each room's unread messages and mentions for a user", async () => {
    expect((await publish('bob', 'bob was here')).statusCode).toBe(201);
    await publish('ann', 'hello');
    await publish('ann', 'hello @bob');
    const res = await http.call('GET', '/api/v1/apps/1/users/bob/unread', { admin: true });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      user: expect.objectContaining({ username: 'bob' }),
      rooms: [expect.objectContaining({ room: 'lobby', seq: 1, unread: 2, unreadMentions: 1 })],
    });
    // ann wrote last: nothing unread for her.
    const ann = await http.call('GET', '/api/v1/apps/1/users/ann/unread', { admin: true });
    expect(ann.json()).toMatchObject({ rooms: [{ room: 'lobby', seq: 3, unread: 0, unreadMentions: 0 }] });
    expect((await http.call('GET', '/api/v1/apps/1/users/nobody/unread', { admin: true })).statusCode).toBe(
      404,
    );
    expect((await http.call('GET', '/api/v1/apps/1/users/bob/unread')).statusCode).toBe(401);
  });
});
