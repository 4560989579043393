/**
 * The eventchat dialect as its document shows it (seed 000): `connection`, `Auth`, `message`, `cerror`, with a
 * plain socket.io-client on `/eventchat`, against a real server.
 */
import { Encoder, PacketType } from 'socket.io-parser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodePacket } from '../../../src/gateways/eventchat/frames.js';
import { startTestServer } from '../../helpers/server.js';
import type { TestServer } from '../../helpers/server.js';
import { api, NO_FLOOD, patchApp } from '../../native/helpers.js';
import { createUser, EventchatPool, tokenFor } from './helpers.js';

describe('eventchat: the document', () => {
  let srv: TestServer;
  const pool = new EventchatPool();

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
    await createUser(srv, 'nickname', 'nickname-password');
    await createUser(srv, 'viewer', 'viewer-password');
    await createUser(srv, 'other', 'other-password');
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  it('emits `connection` once connected, then answers `Auth` as the document shows', async () => {
    const client = pool.open(srv);
    const connection = await client.next('connection');
    expect(connection).toEqual({});
    expect(client.frames[0]).toEqual({ event: 'connection', data: undefined });
    client.emit('Auth', { user: 'nickname', password: 'nickname-password', room: 'lobby' });
    expect(await client.next('Auth')).toEqual({ Code: 200, message: 'Authentification complete' });
    // The extension that follows: who is in the room.
    expect(await client.next('users')).toEqual({ users: ['nickname'] });
    expect(client.all('connection')).toHaveLength(1);
  });

  it('delivers `message` to everyone in the room, the sender included, with Parley’s own rendering', async () => {
    const sender = await pool.authed(srv, 'nickname', 'nickname-password', 'stream-a');
    const viewer = await pool.authed(srv, 'viewer', 'viewer-password', 'stream-a');
    // The document's example payload, with a client "rendering" that must never be used.
    sender.emit('message', { content: 'formated message', raw_content: 'original message' });
    const own = await sender.next('message', (m) => m.raw_content === 'original message');
    const seen = await viewer.next('message', (m) => m.raw_content === 'original message');
    expect(own).toEqual({
      id: expect.any(Number),
      user: 'nickname',
      content: '<p>original message</p>',
      raw_content: 'original message',
    });
    expect(seen).toEqual(own);

    // A hostile client's `content` is ignored; raw HTML in raw_content is escaped by the server's renderer.
    sender.emit('message', {
      content: '<img src=x onerror=alert(1)>',
      raw_content: '**bold** <script>alert(1)</script>',
    });
    const rendered = await viewer.next('message', (m) => String(m.raw_content).startsWith('**bold**'));
    expect(rendered.content).toBe('<p><strong>bold</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(rendered.user).toBe('nickname');

    // `content` may be left out.
    sender.emit('message', { raw_content: 'no content key' });
    expect(await viewer.next('message', (m) => m.raw_content === 'no content key')).toMatchObject({
      user: 'nickname',
      content: '<p>no content key</p>',
    });
  });

  it('keeps rooms apart: a message in another stream is not delivered', async () => {
    const here = await pool.authed(srv, 'nickname', 'nickname-password', 'stream-b');
    const elsewhere = await pool.authed(srv, 'viewer', 'viewer-password', 'stream-c');
    const mark = elsewhere.mark();
    await here.say('only for stream-b');
    const marker = await pool.authed(srv, 'other', 'other-password', 'stream-c');
    await marker.say('marker in stream-c');
    const before = await elsewhere.until(mark, 'message', (m) => m.raw_content === 'marker in stream-c');
    expect(before.filter((f) => f.event === 'message')).toEqual([]);
  });

  it('creates a missing room as a public room (a stream chat’s rooms are its streams)', async () => {
    const client = await pool.authed(srv, 'nickname', 'nickname-password', 'Brand New Stream');
    await client.say('first words');
    const { rooms } = await api<{ rooms: { name: string; visibility: string }[] }>(
      srv,
      'GET',
      '/api/v1/apps/1/rooms',
    );
    expect(rooms).toContainEqual(expect.objectContaining({ name: 'Brand New Stream', visibility: 'public' }));
    // A second user entering it joins the same room.
    const second = await pool.authed(srv, 'viewer', 'viewer-password', 'Brand New Stream');
    await client.say('second words');
    await second.next('message', (m) => m.raw_content === 'second words');
  });

  it('answers any event before `Auth` with `cerror` 401 “Authentification required”', async () => {
    const client = await pool.open(srv).connected();
    client.emit('message', { content: 'x', raw_content: 'x' });
    expect(await client.next('cerror')).toEqual({ Code: 401, message: 'Authentification required' });
    for (const event of ['kick', 'whatever', 'deleteMessage', 'users']) {
      client.emit(event, { username: 'viewer' });
      expect(await client.next('cerror')).toEqual({ Code: 401, message: 'Authentification required' });
    }
    client.emit('message');
    expect(await client.next('cerror')).toMatchObject({ Code: 401 });
    // and the connection is still usable
    await client.auth('nickname', 'nickname-password', 'lobby');
    await client.say('after the refusals');
  });

  it('answers a malformed `Auth` with `cerror` 400', async () => {
    let client = await pool.open(srv).connected();
    const bad: unknown[] = [
      undefined,
      'nickname',
      42,
      null,
      [],
      {},
      { user: 'nickname', password: 'nickname-password' },
      { user: 'nickname', room: 'lobby' },
      { password: 'nickname-password', room: 'lobby' },
      { user: 7, password: 'nickname-password', room: 'lobby' },
      { user: 'nickname', password: ['nickname-password'], room: 'lobby' },
      { user: 'nickname', password: 'nickname-password', room: { name: 'lobby' } },
      { user: 'nickname', password: 'nickname-password', room: '' },
      { user: 'nickname', password: 'nickname-password', room: 'bad/room<name>' },
      { user: 'nickname', password: 'nickname-password', room: 'x'.repeat(65) },
      { user: '', password: 'nickname-password', room: 'lobby' },
      { user: 'nickname', password: '', room: 'lobby' },
      { user: 'nickname', password: 'nickname-password', room: 'lobby', role: 'owner' },
      JSON.parse('{"user":"nickname","password":"nickname-password","room":"lobby","__proto__":{"x":1}}'),
      { user: 'nickname', password: 'nickname-password', room: 'lobby', constructor: { prototype: {} } },
    ];
    for (const [i, payload] of bad.entries()) {
      // A fresh connection every 10: the 20th invalid event within 10 s closes one ([proto.invalid-frames]).
      if (i > 0 && i % 10 === 0) client = await pool.open(srv).connected();
      if (payload === undefined) client.emit('Auth');
      else client.emit('Auth', payload);
      const error = await client.next('cerror');
      expect(error, JSON.stringify(payload)).toEqual({ Code: 400, message: expect.any(String) });
    }
    client.emit('Auth', { user: 'nickname', password: 'nickname-password', room: 'lobby' }, 'extra');
    expect(await client.next('cerror')).toMatchObject({ Code: 400 });
    expect(client.all('Auth')).toEqual([]);
    await client.auth('nickname', 'nickname-password', 'lobby');
  });

  it('answers wrong credentials with `cerror` 401, and accepts the user’s own access token as the password', async () => {
    const client = await pool.open(srv).connected();
    const attempts = [
      { user: 'nickname', password: 'wrong-password', room: 'lobby' },
      { user: 'nobody-here', password: 'nickname-password', room: 'lobby' },
      { user: 'nickname', password: 'pt_not-a-token', room: 'lobby' },
      // a valid token, but of another user: nobody can speak as someone else
      { user: 'nickname', password: await tokenFor(srv, 'viewer'), room: 'lobby' },
    ];
    for (const payload of attempts) {
      client.emit('Auth', payload);
      expect(await client.next('cerror')).toEqual({ Code: 401, message: 'Invalid user or password' });
    }
    const token = await tokenFor(srv, 'nickname');
    // The username is matched without regard to case, as Parley's usernames are unique that way.
    expect(await client.auth('NickName', token, 'lobby')).toEqual({
      Code: 200,
      message: 'Authentification complete',
    });
    expect((await client.say('by token')).user).toBe('nickname');
  });

  it('answers a second `Auth` with `cerror` 403 “already logged in”', async () => {
    const client = await pool.authed(srv, 'nickname', 'nickname-password', 'lobby');
    client.emit('Auth', { user: 'viewer', password: 'viewer-password', room: 'lobby' });
    expect(await client.next('cerror')).toEqual({ Code: 403, message: 'Already logged in' });
    // still the first user
    expect((await client.say('still me')).user).toBe('nickname');
  });

  it('runs events in order: a `message` sent right behind `Auth` is accepted', async () => {
    const client = await pool.open(srv).connected();
    client.emit('Auth', { user: 'nickname', password: 'nickname-password', room: 'lobby' });
    client.emit('message', { content: 'eager', raw_content: 'eager' });
    await client.next('Auth');
    expect(await client.next('message', (m) => m.raw_content === 'eager')).toMatchObject({
      user: 'nickname',
    });
    expect(client.all('cerror')).toEqual([]);
  });

  it('answers a malformed `message` with 400 and a too long one with 413', async () => {
    const client = await pool.authed(srv, 'nickname', 'nickname-password', 'lobby');
    const malformed: unknown[] = [
      'just a string',
      42,
      null,
      [],
      {},
      { content: 'only content' },
      { raw_content: 5 },
      { raw_content: ['a'] },
      { content: 5, raw_content: 'x' },
      { raw_content: 'x', extra: true },
      { raw_content: '   ' },
      JSON.parse('{"raw_content":"x","__proto__":{"admin":true}}'),
    ];
    for (const payload of malformed) {
      client.emit('message', payload);
      expect(await client.next('cerror'), JSON.stringify(payload)).toEqual({
        Code: 400,
        message: expect.any(String),
      });
    }
    // Longer than the app's maxMessageLength (2000) …
    client.emit('message', { content: '', raw_content: 'y'.repeat(2001) });
    expect(await client.next('cerror')).toEqual({ Code: 413, message: expect.any(String) });
    // … by far, within the frame limit.
    client.emit('message', { raw_content: 'z'.repeat(60_000) });
    expect(await client.next('cerror')).toEqual({ Code: 413, message: expect.any(String) });
    expect(client.all('message')).toEqual([]);
    await client.say('exactly fine');
  });

  it('answers unknown events after `Auth` with `cerror` 400; an explicit `connection` is a no-op', async () => {
    const client = await pool.authed(srv, 'nickname', 'nickname-password', 'lobby');
    for (const event of ['whatever', '__proto__', 'constructor', 'toString', 'join']) {
      client.emit(event, {});
      expect(await client.next('cerror')).toEqual({ Code: 400, message: 'Unknown event' });
    }
    // Nothing comes back for it: the marker sent behind it arrives with nothing before it.
    const mark = client.mark();
    client.emit('connection');
    client.emit('message', { raw_content: 'marker' });
    const between = await client.until(mark, 'message', (m) => m.raw_content === 'marker');
    expect(between).toEqual([]);
  });

  it('encodes pushed frames exactly as socket.io-parser does', () => {
    const frame = {
      event: 'message',
      data: { id: 1, user: 'u', content: '<p>é "x"</p>', raw_content: 'é "x"' },
    };
    const [expected] = new Encoder().encode({
      type: PacketType.EVENT,
      nsp: '/eventchat',
      data: [frame.event, frame.data],
    });
    expect(encodePacket(frame)).toBe(expected);
    const [bare] = new Encoder().encode({ type: PacketType.EVENT, nsp: '/eventchat', data: ['connection'] });
    expect(encodePacket({ event: 'connection' })).toBe(bare);
  });
});

describe('eventchat: limits', () => {
  let srv: TestServer;
  const pool = new EventchatPool();

  beforeAll(async () => {
    srv = await startTestServer({ maxFrameBytes: 200_000, authTimeoutMs: 1500 });
    await patchApp(srv, { ...NO_FLOOD, maxMessageLength: 100_000 });
    await createUser(srv, 'big', 'big-password');
    await createUser(srv, 'bystander', 'bystander-password');
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  it('answers text over the dialect’s own bound with 413, whatever the app allows', async () => {
    const client = await pool.authed(srv, 'big', 'big-password', 'lobby');
    client.emit('message', { raw_content: 'z'.repeat(70_000) });
    expect(await client.next('cerror')).toEqual({ Code: 413, message: expect.any(String) });
    client.emit('message', { content: 'c'.repeat(70_000), raw_content: 'fine' });
    expect(await client.next('cerror')).toEqual({ Code: 413, message: expect.any(String) });
    expect(client.all('message')).toEqual([]);
    // Just under the bound is a message (the app allows 100 000 characters).
    const long = 'w'.repeat(65_000);
    expect((await client.say(long)).raw_content).toBe(long);
  });

  it('drops a socket whose packet is over the frame limit, and only that one', async () => {
    const bystander = await pool.authed(srv, 'bystander', 'bystander-password', 'lobby');
    const offender = await pool.authed(srv, 'big', 'big-password', 'lobby');
    offender.emit('message', { raw_content: 'x'.repeat(250_000) });
    expect(await offender.disconnected).toMatch(/transport (close|error)/);
    await bystander.say('still here');
  });

  it('disconnects a socket that does not send `Auth` in time, with `cerror` 401 first', async () => {
    const idle = await pool.open(srv).connected();
    expect(await idle.next('cerror')).toEqual({ Code: 401, message: 'No authentication in time' });
    expect(await idle.disconnected).toBe('io server disconnect');
  });
});
