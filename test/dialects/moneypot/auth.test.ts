/**
 * The moneypot `auth` event (docs/dialects/moneypot.md, seed 002): the document's payload and callback, the
 * reply's shape, anonymous readers, the client_error cases, the first-auth-only rule, the staff muteList,
 * apps without a lobby, per-app origins, INTERNAL_ERROR and the auth timeout.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ParleyError } from '../../../src/core/errors.js';
import { CLIENT_ERRORS } from '../../../src/gateways/moneypot/protocol.js';
import { startTestServer } from '../../helpers/server.js';
import type { TestServer } from '../../helpers/server.js';
import { once } from '../../helpers/wait.js';
import { api, NO_FLOOD, patchApp } from '../../native/helpers.js';
import { createApp, hashedToken, isNewMessage, marker, MpPool, sha256 } from './helpers.js';

interface AuthData {
  user?: { id: number; uname: string; role: string };
  room: {
    users: Record<string, { id: number; uname: string; role: string }>;
    history: { id: number; user: { uname: string; role: string }; text: string }[];
    muteList: Record<string, { uname: string; mins: number | null; expires_at: string | null }>;
  };
}

describe('moneypot auth', () => {
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

  it("answers the document's example auth with user and room, history oldest to newest", async () => {
    const donald = await hashedToken(srv, 'Donald', 'admin');
    const first = await pool.authed(srv, { app_id: 1, hashed_token: donald });
    expect(first.reply.err).toBeNull();
    const texts = [marker('one'), marker('two'), marker('three')];
    for (const text of texts) expect(await first.client.send(text)).toBeNull();

    const { reply } = await pool.authed(srv, { app_id: 1, hashed_token: donald });
    expect(reply.err).toBeNull();
    const data = reply.data as AuthData;
    expect(data.user).toEqual({ id: expect.any(Number), uname: 'Donald', role: 'admin' });
    // Keyed by the case-sensitive name; present once however many sockets the user has.
    expect(data.room.users).toEqual({ Donald: { id: data.user?.id, uname: 'Donald', role: 'admin' } });
    const tail = data.room.history.slice(-3);
    expect(tail.map((m) => m.text)).toEqual(texts);
    expect(tail.every((m) => Number.isInteger(m.id))).toBe(true);
    expect(tail[0]?.id).toBeLessThan(tail[1]?.id ?? 0);
    expect(tail[1]?.id).toBeLessThan(tail[2]?.id ?? 0);
    expect(tail[2]?.user).toEqual({ uname: 'Donald', role: 'admin' });
    expect(data.room.muteList).toEqual({});
  });

  it('accepts the hash in upper case and app_id as a string of digits', async () => {
    const hash = await hashedToken(srv, 'upper');
    const { reply } = await pool.authed(srv, { app_id: '1', hashed_token: hash.toUpperCase() });
    expect(reply.err).toBeNull();
    expect((reply.data as AuthData).user?.uname).toBe('upper');
  });

  it('gives a read-only client without a user for a missing or invalid hashed_token', async () => {
    const writer = await pool.authed(srv, { app_id: 1, hashed_token: await hashedToken(srv, 'writer') });
    for (const payload of [
      { app_id: 1 },
      { app_id: 1, hashed_token: null },
      { app_id: 1, hashed_token: '' },
      { app_id: 1, hashed_token: sha256('not a token') },
      { app_id: 1, hashed_token: 'not-hex-at-all' },
    ]) {
      const { client, reply } = await pool.authed(srv, payload);
      expect(reply.err).toBeNull();
      const data = reply.data as AuthData;
      expect(data).not.toHaveProperty('user');
      expect(Array.isArray(data.room.history)).toBe(true);
      // A reader is never present.
      expect(Object.keys(data.room.users)).not.toContain('');
      expect(data.room.muteList).toEqual({});
      // It reads new messages...
      const text = marker('read');
      expect(await writer.client.send(text)).toBeNull();
      await client.until('new_message', isNewMessage(text));
      // ...and cannot write.
      expect(await client.send('hello')).toBe('USER_REQUIRED');
    }
  });

  it('answers client_error for a payload that is not an object', async () => {
    for (const payload of ['1', 1, null, [1], true]) {
      const client = pool.client(srv);
      await client.connected();
      const errors = client.events<string>('client_error');
      const { err } = await client.auth(payload);
      expect(err).toBe('CLIENT_ERROR');
      expect(await errors.next()).toBe(CLIENT_ERRORS.authNotObject);
    }
  });

  it('answers client_error for a missing or non-integer app_id', async () => {
    const cases: [unknown, string][] = [
      [{}, CLIENT_ERRORS.authMissingAppId],
      [{ hashed_token: 'x' }, CLIENT_ERRORS.authMissingAppId],
      [{ app_id: null }, CLIENT_ERRORS.authMissingAppId],
      [{ app_id: 1.5 }, CLIENT_ERRORS.authBadAppId],
      [{ app_id: 'abc' }, CLIENT_ERRORS.authBadAppId],
      [{ app_id: '1.0' }, CLIENT_ERRORS.authBadAppId],
      [{ app_id: 0 }, CLIENT_ERRORS.authBadAppId],
      [{ app_id: -3 }, CLIENT_ERRORS.authBadAppId],
      [{ app_id: true }, CLIENT_ERRORS.authBadAppId],
      [{ app_id: { n: 1 } }, CLIENT_ERRORS.authBadAppId],
      [{ app_id: 1, hashed_token: 42 }, CLIENT_ERRORS.authBadHashedToken],
      [{ app_id: 1, hashed_token: 'f'.repeat(2000) }, CLIENT_ERRORS.authBadHashedToken],
      [{ app_id: 1, extra: true }, CLIENT_ERRORS.authUnknownKeys(['extra'])],
    ];
    for (const [payload, message] of cases) {
      const client = pool.client(srv);
      await client.connected();
      const errors = client.events<string>('client_error');
      const { err } = await client.auth(payload);
      expect(err, JSON.stringify(payload)).toBe('CLIENT_ERROR');
      expect(await errors.next()).toBe(message);
    }
  });

  it('answers client_error for an unknown app', async () => {
    const client = pool.client(srv);
    await client.connected();
    const errors = client.events<string>('client_error');
    expect((await client.auth({ app_id: 999 })).err).toBe('CLIENT_ERROR');
    expect(await errors.next()).toBe(CLIENT_ERRORS.authUnknownApp(999));
  });

  it('answers client_error for a missing callback, and the refused auth does not use up the socket', async () => {
    const client = pool.client(srv);
    await client.connected();
    const errors = client.events<string>('client_error');
    client.socket.emit('auth', { app_id: 1 });
    expect(await errors.next()).toBe(CLIENT_ERRORS.authNoCallback);
    // A refused auth (here and for the other client errors) can be fixed and sent again.
    expect((await client.auth({ app_id: 'x' })).err).toBe('CLIENT_ERROR');
    const { err, data } = await client.auth({ app_id: 1, hashed_token: await hashedToken(srv, 'retry') });
    expect(err).toBeNull();
    expect((data as AuthData).user?.uname).toBe('retry');
  });

  it('counts only the first auth on a socket', async () => {
    const client = pool.client(srv);
    await client.connected();
    const errors = client.events<string>('client_error');
    const first = await client.auth({ app_id: 1 });
    expect(first.err).toBeNull();
    const second = await client.auth({ app_id: 1, hashed_token: await hashedToken(srv, 'later') });
    expect(second.err).toBe('CLIENT_ERROR');
    expect(await errors.next()).toBe(CLIENT_ERRORS.authAlready);
    // Still the anonymous reader of the first auth.
    expect(await client.send('hi')).toBe('USER_REQUIRED');
    // Two auths sent at once: the second one is refused while the first is in flight.
    const twice = pool.client(srv);
    await twice.connected();
    const [a, b] = await Promise.all([twice.auth({ app_id: 1 }), twice.auth({ app_id: 1 })]);
    expect([a.err, b.err]).toEqual([null, 'CLIENT_ERROR']);
  });

  it('gives owner, admin and mod the muteList of the lobby, and everybody else {}', async () => {
    const mod = await hashedToken(srv, 'Moddy', 'mod');
    const member = await hashedToken(srv, 'plain');
    await hashedToken(srv, 'NoisyOne');
    await hashedToken(srv, 'forever');
    const before = Date.now();
    await api(srv, 'POST', '/api/v1/apps/1/mutes', { username: 'NoisyOne', minutes: 30 });
    await api(srv, 'POST', '/api/v1/apps/1/mutes', { username: 'forever' });
    const staff = (await pool.authed(srv, { app_id: 1, hashed_token: mod })).reply.data as AuthData;
    expect(staff.room.muteList.noisyone).toEqual({
      uname: 'NoisyOne',
      mins: 30,
      expires_at: expect.any(String),
    });
    const expires = Date.parse(staff.room.muteList.noisyone?.expires_at ?? '');
    expect(expires).toBeGreaterThanOrEqual(before + 30 * 60_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 30 * 60_000);
    expect(staff.room.muteList.forever).toEqual({ uname: 'forever', mins: null, expires_at: null });

    const plain = (await pool.authed(srv, { app_id: 1, hashed_token: member })).reply.data as AuthData;
    expect(plain.room.muteList).toEqual({});
    const anonymous = (await pool.authed(srv, { app_id: 1 })).reply.data as AuthData;
    expect(anonymous.room.muteList).toEqual({});
    await api(srv, 'DELETE', '/api/v1/apps/1/mutes/NoisyOne');
    await api(srv, 'DELETE', '/api/v1/apps/1/mutes/forever');
  });

  it('creates the lobby of an app that has none, and keeps apps apart', async () => {
    const app = await createApp(srv, 'Second');
    await patchApp(srv, NO_FLOOD, app.id);
    const hash = await hashedToken(srv, 'second-user', 'member', app.id);
    const { client, reply } = await pool.authed(srv, { app_id: app.id, hashed_token: hash });
    expect(reply.err).toBeNull();
    expect((reply.data as AuthData).room).toEqual({
      users: { 'second-user': { id: expect.any(Number), uname: 'second-user', role: 'member' } },
      history: [],
      muteList: {},
    });
    const rooms = await api<{ rooms: { name: string }[] }>(srv, 'GET', `/api/v1/apps/${app.id}/rooms`);
    expect(rooms.rooms.map((r) => r.name)).toContain('lobby');

    // A token of app 1 means nothing in app 2, and app 1's lobby is not app 2's.
    const one = await pool.authed(srv, { app_id: 1, hashed_token: await hashedToken(srv, 'first-app') });
    const other = await pool.authed(srv, {
      app_id: app.id,
      hashed_token: await hashedToken(srv, 'first-app'),
    });
    expect(other.reply.data).not.toHaveProperty('user');
    const hidden = marker('app1');
    expect(await one.client.send(hidden)).toBeNull();
    const visible = marker('app2');
    expect(await client.send(visible)).toBeNull();
    const before = await other.client.until('new_message', isNewMessage(visible));
    expect(before.some(([, p]) => isNewMessage(hidden)(p))).toBe(false);
  });

  it('refuses an origin the app does not allow with client_error', async () => {
    const app = await createApp(srv, 'Shop', { allowedOrigins: ['https://shop.example'] });
    const evil = pool.client(srv, { extraHeaders: { origin: 'https://evil.example' } });
    await evil.connected();
    const errors = evil.events<string>('client_error');
    expect((await evil.auth({ app_id: app.id })).err).toBe('CLIENT_ERROR');
    expect(await errors.next()).toBe(CLIENT_ERRORS.authOriginNotAllowed);
    // The same origin is fine for app 1, which allows any.
    expect((await evil.auth({ app_id: 1 })).err).toBeNull();

    const good = pool.client(srv, { extraHeaders: { origin: 'https://shop.example' } });
    await good.connected();
    expect((await good.auth({ app_id: app.id })).err).toBeNull();
  });

  it('answers INTERNAL_ERROR when storage fails, and the socket may try again', async () => {
    const hash = await hashedToken(srv, 'unlucky');
    const engine = srv.server.engine;
    vi.spyOn(engine, 'authenticate').mockRejectedValueOnce(new ParleyError('unavailable'));
    const client = pool.client(srv);
    await client.connected();
    expect((await client.auth({ app_id: 1, hashed_token: hash })).err).toBe('INTERNAL_ERROR');
    vi.spyOn(engine, 'getApp').mockRejectedValueOnce(new Error('disk on fire'));
    expect((await client.auth({ app_id: 1, hashed_token: hash })).err).toBe('INTERNAL_ERROR');
    vi.spyOn(engine, 'listMutes').mockRejectedValueOnce(new ParleyError('internal'));
    const mod = await hashedToken(srv, 'unlucky-mod', 'mod');
    const staff = pool.client(srv);
    await staff.connected();
    expect((await staff.auth({ app_id: 1, hashed_token: mod })).err).toBe('INTERNAL_ERROR');
    vi.restoreAllMocks();
    const { err, data } = await client.auth({ app_id: 1, hashed_token: hash });
    expect(err).toBeNull();
    expect((data as AuthData).user?.uname).toBe('unlucky');
    // The failed staff auth left no presence behind: its session was closed.
    expect(engine.online(1).some((o) => o.user.username === 'unlucky-mod')).toBe(false);
  });

  it('tells a banned user so and lets them read anonymously', async () => {
    const hash = await hashedToken(srv, 'banned-one');
    await api(srv, 'POST', '/api/v1/apps/1/bans', { username: 'banned-one' });
    const client = pool.client(srv);
    await client.connected();
    const system = client.events<string>('system_message');
    const { err, data } = await client.auth({ app_id: 1, hashed_token: hash });
    expect(err).toBeNull();
    expect(data).not.toHaveProperty('user');
    expect(await system.next()).toBe('You are banned');
    await api(srv, 'DELETE', '/api/v1/apps/1/bans/banned-one');
  });

  it("works over the default transports (polling, then upgrade) as the document's client connects", async () => {
    const client = pool.client(srv, { transports: ['polling', 'websocket'] });
    await client.connected();
    const { err, data } = await client.auth({ app_id: 1, hashed_token: await hashedToken(srv, 'poller') });
    expect(err).toBeNull();
    expect((data as AuthData).user?.uname).toBe('poller');
    expect(await client.send('over polling')).toBeNull();
  });
});

describe('moneypot auth timeout', () => {
  let srv: TestServer;
  const pool = new MpPool();

  beforeAll(async () => {
    srv = await startTestServer({ authTimeoutMs: 300 });
  });
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  it('ends a socket that never sends auth, telling it why', async () => {
    const idle = pool.client(srv);
    const reason = once<[{ reason: string; code: number }]>(idle.socket, 'disconnect_reason');
    await idle.connected();
    const disconnected = once<[string]>(idle.socket, 'disconnect');
    expect((await reason)[0]).toMatchObject({ reason: 'auth_timeout', code: 4002 });
    expect((await disconnected)[0]).toBe('io server disconnect');
  });

  it('keeps a socket that authenticated in time', async () => {
    const client = pool.client(srv);
    await client.connected();
    expect((await client.auth({ app_id: 1 })).err).toBeNull();
    // Outlive the timeout: a later auth is refused as a second one, which proves the socket is still open.
    const idle = pool.client(srv);
    await idle.connected();
    await once(idle.socket, 'disconnect');
    expect(client.socket.connected).toBe(true);
    expect((await client.auth({ app_id: 1 })).err).toBe('CLIENT_ERROR');
  });
});
