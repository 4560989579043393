/**
 * The eventchat connection's life: which app (`?app=N`), the app's allowed Origins, flood control, slash
 * commands, leaving, and the server shutting down.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemFrame } from '../../../src/gateways/eventchat/frames.js';
import { startTestServer } from '../../helpers/server.js';
import type { TestServer } from '../../helpers/server.js';
import { api, NO_FLOOD, patchApp } from '../../native/helpers.js';
import { createUser, EventchatPool } from './helpers.js';

describe('eventchat: apps, flood, commands, leaving', () => {
  let srv: TestServer;
  const pool = new EventchatPool();
  let app2: number;
  let strictApp: number;

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
    app2 = (await api<{ id: number }>(srv, 'POST', '/api/v1/apps', { name: 'streams' })).id;
    strictApp = (
      await api<{ id: number }>(srv, 'POST', '/api/v1/apps', {
        name: 'strict',
        settings: { allowedOrigins: ['https://good.example'] },
      })
    ).id;
    await createUser(srv, 'streamer', 'streamer-password');
    await createUser(srv, 'watcher', 'watcher-password');
    await createUser(srv, 'flooder', 'flooder-password');
    await createUser(srv, 'streamer', 'streamer-password-2', 'member', app2);
    await createUser(srv, 'strict-user', 'strict-password', 'member', strictApp);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  it('selects the app from `?app=N`: accounts and rooms are the app’s own', async () => {
    const client = await pool.open(srv, { app: String(app2) }).connected();
    // app 1's password is not app 2's
    client.emit('Auth', { user: 'streamer', password: 'streamer-password', room: 'lobby' });
    expect(await client.next('cerror')).toMatchObject({ Code: 401 });
    await client.auth('streamer', 'streamer-password-2', 'lobby');
    await client.say('in app 2');
    // A client of app 1 in a room of the same name does not see it.
    const app1 = await pool.authed(srv, 'watcher', 'watcher-password', 'lobby');
    const mark = app1.mark();
    await app1.say('marker in app 1');
    const between = await app1.until(mark, 'message', (m) => m.raw_content === 'marker in app 1');
    expect(between.filter((f) => f.event === 'message')).toEqual([]);
  });

  it('answers an unknown app with `cerror` 404 and a malformed one with 400, then disconnects', async () => {
    for (const [app, code] of [
      ['999', 404],
      ['abc', 400],
      ['0', 400],
      ['-1', 400],
      ['1.5', 400],
    ] as const) {
      const client = pool.open(srv, { app });
      expect(await client.next('cerror'), app).toEqual({ Code: code, message: expect.any(String) });
      expect(await client.disconnected).toBe('io server disconnect');
      expect(client.all('connection')).toEqual([]);
    }
  });

  it('checks the app’s allowed Origins', async () => {
    const good = await pool
      .open(srv, { app: String(strictApp) }, { origin: 'https://good.example' })
      .connected();
    await good.auth('strict-user', 'strict-password', 'lobby');
    const evil = pool.open(srv, { app: String(strictApp) }, { origin: 'https://evil.example' });
    expect(await evil.next('cerror')).toEqual({
      Code: 403,
      message: 'The Origin is not allowed for this app',
    });
    expect(await evil.disconnected).toBe('io server disconnect');
  });

  it('answers a flooding sender with `cerror` 429', async () => {
    await patchApp(srv, { flood: { burst: 2, perSecond: 0.001 } }, app2);
    await createUser(srv, 'flooder', 'flooder-password', 'member', app2);
    const client = await pool.authed(srv, 'flooder', 'flooder-password', 'flood room', { app: String(app2) });
    for (let i = 0; i < 4; i++) client.emit('message', { content: `m${i}`, raw_content: `m${i}` });
    expect(await client.next('cerror')).toEqual({ Code: 429, message: expect.any(String) });
    await client.next('cerror');
    // The flood is also a strike: its warning comes as a `[system]` line (docs/moderation.md).
    const chat = client.all('message').filter((m) => m.user !== '[system]');
    expect(chat.map((m) => m.raw_content)).toEqual(['m0', 'm1']);
  });

  it('shows a slash command’s answer as a `[system]` message to the sender only', async () => {
    const sender = await pool.authed(srv, 'streamer', 'streamer-password', 'commands');
    const other = await pool.authed(srv, 'watcher', 'watcher-password', 'commands');
    const mark = other.mark();
    sender.emit('message', { content: '/help', raw_content: '/help' });
    const help = await sender.next('message', (m) => m.user === '[system]');
    expect(help).toEqual({ user: '[system]', content: expect.any(String), raw_content: expect.any(String) });
    expect(String(help.raw_content)).toContain('/mute');
    // A refused command (not a moderator) is answered the same way.
    sender.emit('message', { raw_content: '/kick watcher' });
    const refused = await sender.next('message', (m) => m.user === '[system]');
    expect(String(refused.raw_content)).toMatch(/moderator|not allowed/i);
    // `/me` is a message, with its raw form as typed.
    sender.emit('message', { raw_content: '/me waves' });
    const action = await other.next('message', (m) => m.user === 'streamer');
    expect(action).toMatchObject({ raw_content: '/me waves', content: 'waves' });
    const before = await other.until(mark, 'message', (m) => m.raw_content === '/me waves');
    expect(before).toEqual([]);
    expect(other.all('message').filter((m) => m.user === '[system]')).toEqual([]);
  });

  it('escapes system text as HTML in `content`', () => {
    expect(systemFrame('User "<b>x</b>" & co')).toEqual({
      user: '[system]',
      content: 'User &quot;&lt;b&gt;x&lt;/b&gt;&quot; &amp; co',
      raw_content: 'User "<b>x</b>" & co',
    });
  });

  it('leaves cleanly on disconnect: the room is told `leave`', async () => {
    const stays = await pool.authed(srv, 'watcher', 'watcher-password', 'leaving');
    const goes = await pool.authed(srv, 'streamer', 'streamer-password', 'leaving');
    expect(await stays.next('join')).toEqual({ user: 'streamer' });
    goes.close();
    expect(await stays.next('leave')).toEqual({ user: 'streamer' });
    const { users } = await waitForOnline(srv, 'leaving');
    expect(users).toEqual(['watcher']);
  });
});

async function waitForOnline(srv: TestServer, room: string): Promise<{ users: string[] }> {
  const { online } = await api<{ online: { user: { username: string }; rooms: string[] }[] }>(
    srv,
    'GET',
    '/api/v1/apps/1/online',
  );
  return { users: online.filter((u) => u.rooms.includes(room)).map((u) => u.user.username) };
}

describe('eventchat: presence grace', () => {
  let srv: TestServer;
  const pool = new EventchatPool();

  beforeAll(async () => {
    // A grace period longer than any wait in this test: only a deliberate leave can be seen in time.
    srv = await startTestServer({ engine: { presenceGraceMs: 60_000 } });
    await createUser(srv, 'stays', 'stays-password');
    await createUser(srv, 'leaves', 'leaves-password');
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  it('a client’s own `disconnect` is a deliberate leave: the room is told at once, without the grace period', async () => {
    const stays = await pool.authed(srv, 'stays', 'stays-password', 'grace');
    const leaves = await pool.authed(srv, 'leaves', 'leaves-password', 'grace');
    expect(await stays.next('join')).toEqual({ user: 'leaves' });
    leaves.socket.disconnect();
    expect(await leaves.disconnected).toBe('io client disconnect');
    expect(await stays.next('leave')).toEqual({ user: 'leaves' });
  });
});

describe('eventchat: shutdown', () => {
  it('tells every connection `cerror` 503 and disconnects it when the server stops', async () => {
    const srv = await startTestServer();
    const pool = new EventchatPool();
    try {
      await createUser(srv, 'last', 'last-password');
      const authed = await pool.authed(srv, 'last', 'last-password', 'lobby');
      const anonymous = await pool.open(srv).connected();
      await srv.close();
      for (const client of [authed, anonymous]) {
        expect(await client.next('cerror')).toEqual({ Code: 503, message: 'The server is shutting down' });
        expect(await client.disconnected).toBe('io server disconnect');
      }
    } finally {
      pool.closeAll();
      await srv.close();
    }
  });
});
