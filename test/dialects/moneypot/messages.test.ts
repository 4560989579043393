/**
 * new_message and the pushed events of the moneypot dialect: the document's example, the 1-140 rule, the
 * callback's errors, unknown events, presence per user (not per socket), kicks and shutdown.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLIENT_ERRORS } from '../../../src/gateways/moneypot/protocol.js';
import type { Engine } from '../../../src/engine/engine.js';
import { startTestServer } from '../../helpers/server.js';
import type { TestServer } from '../../helpers/server.js';
import { once } from '../../helpers/wait.js';
import { api, NO_FLOOD, patchApp } from '../../native/helpers.js';
import { createApp, hashedToken, isNewMessage, marker, MpPool } from './helpers.js';

interface Message {
  id: number;
  user: { uname: string; role: string };
  text: string;
}

describe('moneypot new_message and events', () => {
  let srv: TestServer;
  const pool = new MpPool();

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
  });
  afterEach(() => {
    pool.closeAll();
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  async function user(name: string, role = 'member') {
    return pool.authed(srv, { app_id: 1, hashed_token: await hashedToken(srv, name, role) });
  }

  it("delivers the document's example message to everyone in the lobby, the sender too", async () => {
    const alice = await user('alice');
    const reader = await pool.authed(srv, { app_id: 1 });
    const aliceMessages = alice.client.events<Message>('new_message');
    const readerMessages = reader.client.events<Message>('new_message');

    expect(await alice.client.send('Hello, world!')).toBeNull();
    const seen = await readerMessages.next((m) => m.text === 'Hello, world!');
    expect(seen).toEqual({
      id: expect.any(Number),
      user: { uname: 'alice', role: 'member' },
      text: 'Hello, world!',
    });
    expect(await aliceMessages.next((m) => m.text === 'Hello, world!')).toEqual(seen);

    // Ids are integers that increase.
    expect(await alice.client.send('second')).toBeNull();
    const second = await readerMessages.next((m) => m.text === 'second');
    expect(Number.isInteger(second.id)).toBe(true);
    expect(second.id).toBeGreaterThan(seen.id);
  });

  it('trims the text and takes 1 to 140 characters', async () => {
    const bob = await user('bob');
    const messages = bob.client.events<Message>('new_message');
    const errors = bob.client.events<string>('client_error');

    expect(await bob.client.send('   padded   ')).toBeNull();
    expect((await messages.next()).text).toBe('padded');
    const longest = 'x'.repeat(140);
    expect(await bob.client.send(`  ${longest}  `)).toBeNull();
    expect((await messages.next()).text).toBe(longest);
    // Characters, not UTF-16 units: 140 emoji are 140 characters.
    const emoji = '😀'.repeat(140);
    expect(await bob.client.send(emoji)).toBeNull();
    expect((await messages.next()).text).toBe(emoji);

    for (const bad of ['x'.repeat(141), '', '    ', '😀'.repeat(141)]) {
      expect(await bob.client.send(bad)).toBe('CLIENT_ERROR');
      expect(await errors.next()).toBe(CLIENT_ERRORS.textLength);
    }
    for (const bad of [42, null, { text: 'hi' }, ['hi'], true]) {
      expect(await bob.client.send(bad)).toBe('CLIENT_ERROR');
      expect(await errors.next()).toBe(CLIENT_ERRORS.textNotString);
    }
    // None of the refused texts went out: the next message is the marker.
    const end = marker();
    expect(await bob.client.send(end)).toBeNull();
    expect((await messages.next()).text).toBe(end);
  });

  it('sends a message that comes without a callback, and refuses extra arguments', async () => {
    const carol = await user('carol');
    const messages = carol.client.events<Message>('new_message');
    carol.client.socket.emit('new_message', 'no callback');
    expect((await messages.next()).text).toBe('no callback');

    const errors = carol.client.events<string>('client_error');
    expect(await carol.client.call('new_message', 'a', 'b')).toEqual(['CLIENT_ERROR']);
    expect(await errors.next()).toBe(CLIENT_ERRORS.messageArguments);
    expect(await carol.client.call('new_message')).toEqual(['CLIENT_ERROR']);
    expect(await errors.next()).toBe(CLIENT_ERRORS.messageArguments);
  });

  it('answers USER_REQUIRED to a reader and to a socket that has not sent auth', async () => {
    const writer = await user('dave');
    const reader = await pool.authed(srv, { app_id: 1 });
    expect(await reader.client.send('let me in')).toBe('USER_REQUIRED');

    const fresh = pool.client(srv);
    await fresh.connected();
    const errors = fresh.events<string>('client_error');
    expect(await fresh.send('too early')).toBe('USER_REQUIRED');
    expect(await errors.next()).toBe(CLIENT_ERRORS.authFirst);

    // Nothing of theirs reached the lobby.
    const end = marker();
    expect(await writer.client.send(end)).toBeNull();
    const before = await writer.client.until('new_message', isNewMessage(end));
    expect(before.filter(([name]) => name === 'new_message')).toEqual([]);
  });

  it('waits for an auth in flight before a new_message sent right behind it', async () => {
    const client = pool.client(srv);
    await client.connected();
    const hash = await hashedToken(srv, 'eager');
    const auth = client.auth({ app_id: 1, hashed_token: hash });
    const sent = client.send('right behind auth');
    expect((await auth).err).toBeNull();
    expect(await sent).toBeNull();
  });

  it('answers client_error for an unknown event, with CLIENT_ERROR to its callback', async () => {
    const client = pool.client(srv);
    await client.connected();
    const errors = client.events<string>('client_error');
    expect(await client.call('join', 'lobby')).toEqual(['CLIENT_ERROR']);
    expect(await errors.next()).toBe(CLIENT_ERRORS.unknownEvent('join'));
    client.socket.emit('constructor', { x: 1 });
    expect(await errors.next()).toBe(CLIENT_ERRORS.unknownEvent('constructor'));
  });

  it('tells a flooding sender RATE_LIMITED with a system_message', async () => {
    const app = await createApp(srv, 'Slow', { flood: { burst: 2, perSecond: 0.01 } });
    const hash = await hashedToken(srv, 'flooder', 'member', app.id);
    const { client } = await pool.authed(srv, { app_id: app.id, hashed_token: hash });
    const system = client.events<string>('system_message');
    expect(await client.send('one')).toBeNull();
    expect(await client.send('two')).toBeNull();
    expect(await client.send('three')).toBe('RATE_LIMITED');
    expect(await system.next()).toMatch(/^You are sending messages too fast; wait \d+ s$/);
  });

  it("applies the app's own maximum length on top of the document's 140", async () => {
    const app = await createApp(srv, 'Short', { maxMessageLength: 10 });
    const hash = await hashedToken(srv, 'terse', 'member', app.id);
    const { client } = await pool.authed(srv, { app_id: app.id, hashed_token: hash });
    const errors = client.events<string>('client_error');
    expect(await client.send('0123456789')).toBeNull();
    expect(await client.send('0123456789a')).toBe('CLIENT_ERROR');
    expect(await errors.next()).toBe(CLIENT_ERRORS.tooLong(10));
  });

  it('answers INTERNAL_ERROR when storing the message fails', async () => {
    const erin = await user('erin');
    const engine = srv.server.engine as unknown as Engine;
    vi.spyOn(engine.messages, 'post').mockRejectedValueOnce(new Error('disk full'));
    expect(await erin.client.send('lost')).toBe('INTERNAL_ERROR');
    vi.restoreAllMocks();
    expect(await erin.client.send('kept')).toBeNull();
  });

  it("announces user_joined on a user's first socket and user_left when the last one closes", async () => {
    const watcher = await user('watcher');
    const hash = await hashedToken(srv, 'Frank');
    const first = await pool.authed(srv, { app_id: 1, hashed_token: hash });
    await watcher.client.until('user_joined', (p) => (p as { uname?: string }).uname === 'Frank');
    expect(watcher.client.named('user_joined')).toContainEqual({ uname: 'Frank', role: 'member' });

    // A second socket of the same user, and a reader: no more user_joined.
    const second = await pool.authed(srv, { app_id: 1, hashed_token: hash });
    expect(Object.keys((second.reply.data as { room: { users: object } }).room.users)).toContain('Frank');
    await pool.authed(srv, { app_id: 1 });
    first.client.close();
    const one = marker('one-left');
    expect(await watcher.client.send(one)).toBeNull();
    let before = await watcher.client.until('new_message', isNewMessage(one));
    expect(before.filter(([name]) => name === 'user_joined')).toHaveLength(1);
    expect(before.filter(([name]) => name === 'user_left')).toEqual([]);

    second.client.close();
    await watcher.client.until('user_left', (p) => (p as { uname?: string }).uname === 'Frank');
    expect(watcher.client.named('user_left')).toEqual([{ uname: 'Frank', role: 'member' }]);
    const end = marker();
    expect(await watcher.client.send(end)).toBeNull();
    before = await watcher.client.until('new_message', isNewMessage(end));
    expect(before.filter(([name]) => name === 'user_joined')).toHaveLength(1);
  });

  it("ends a kicked user's sockets with a system_message and disconnect_reason", async () => {
    const gina = await user('gina');
    const system = gina.client.events<string>('system_message');
    const reason = once<[{ reason: string; code: number }]>(gina.client.socket, 'disconnect_reason');
    const gone = once<[string]>(gina.client.socket, 'disconnect');
    await api(srv, 'POST', '/api/v1/apps/1/kicks', { username: 'gina' });
    expect((await reason)[0]).toMatchObject({ reason: 'kicked', code: 4004 });
    expect(await system.next()).toBe('Kicked by a moderator');
    expect((await gone)[0]).toBe('io server disconnect');
  });
});

describe('moneypot shutdown', () => {
  it('tells every socket `shutdown` and disconnects it', async () => {
    const srv = await startTestServer();
    const pool = new MpPool();
    try {
      const { client } = await pool.authed(srv, { app_id: 1 });
      const fresh = pool.client(srv);
      await fresh.connected();
      const reasons = [client, fresh].map((c) =>
        once<[{ reason: string; code: number }]>(c.socket, 'disconnect_reason'),
      );
      const gone = [client, fresh].map((c) => once(c.socket, 'disconnect'));
      await srv.close();
      for (const reason of reasons)
        expect((await reason)[0]).toMatchObject({ reason: 'shutdown', code: 1001 });
      await Promise.all(gone);
    } finally {
      pool.closeAll();
      await srv.close();
    }
  });
});
