/**
 * The socketapi document's authentication and error sections, driven with socket.io-client exactly as the
 * document shows: `auth {transaction, data}` → `auth-success {transaction, userId}`, and every failure as
 * `socket-api-error {event, message}` plus `socket-api-error-<transaction>`.
 */
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../helpers/server.js';
import type { TestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait.js';
import { api, ClientPool, NO_FLOOD, patchApp } from '../../native/helpers.js';
import { io as ioClient } from 'socket.io-client';
import { SocketApiClient, SocketApiPool, tokenFor, unique } from './helpers.js';

interface ErrorData {
  event: string;
  message: string;
}

const INVALID_CREDENTIALS = 'Authentication is required or the credentials are invalid';

describe('socketapi: authentication and errors', () => {
  let srv: TestServer;
  let app2: number;
  const pool = new SocketApiPool();
  const natives = new ClientPool();

  beforeAll(async () => {
    srv = await startTestServer({ maxFrameBytes: 64 * 1024, engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
    const created = await api<{ id: number }>(srv, 'POST', '/api/v1/apps', {
      name: 'second-workspace',
      settings: { jwt: { alg: 'HS256', secret: 'a-very-secret-jwt-key-for-tests' } },
    });
    app2 = created.id;
  });
  afterEach(() => {
    pool.closeAll();
    natives.closeAll();
  });
  afterAll(async () => {
    pool.closeAll();
    natives.closeAll();
    await srv?.close();
  });

  /** Expect the pair of error events for one failed request. */
  async function expectError(
    client: SocketApiClient,
    event: string,
    transaction: string | null,
    message?: string | RegExp,
  ): Promise<string> {
    const { data } = await client.next<ErrorData>('socket-api-error', (d) => d.event === event);
    expect(Object.keys(data).sort()).toEqual(['event', 'message']);
    expect(typeof data.message).toBe('string');
    if (typeof message === 'string') expect(data.message).toBe(message);
    else if (message) expect(data.message).toMatch(message);
    if (transaction !== null) {
      const { data: text } = await client.next<string>(`socket-api-error-${transaction}`);
      expect(text).toBe(data.message);
    }
    return data.message;
  }

  it('auth {transaction, data: accessToken} → auth-success {transaction, userId} (the document example)', async () => {
    const username = unique('doc');
    const issued = await api<{ token: string; user: { id: number } }>(srv, 'POST', '/api/v1/apps/1/tokens', {
      username,
    });
    const client = await pool.open(srv, { app: '1' }).connect();
    client.emit('auth', { transaction: 'Уникальная строка', data: issued.token });
    const { data, before } = await client.next('auth-success');
    expect(data).toEqual({ transaction: 'Уникальная строка', userId: issued.user.id });
    expect(before).toEqual([]);
  });

  it('works over HTTP long-polling as socket.io negotiates by default', async () => {
    const socket = ioClient(`${srv.url}/socketapi`, {
      query: { app: '1' },
      transports: ['polling'],
      reconnection: false,
      forceNew: true,
    });
    const client = new SocketApiClient(socket, '1');
    try {
      await client.connect();
      await client.auth(await tokenFor(srv, unique('poll')));
      const room = unique('polled-');
      await api(srv, 'POST', '/api/v1/apps/1/rooms', { name: room });
      expect(await client.wait('channel-created', (c) => c.name === room)).toMatchObject({ workspace_id: 1 });
      client.emit('nope', { transaction: 'p' });
      await expectError(client, 'nope', 'p', 'Unknown event');
    } finally {
      client.close();
    }
  });

  it('accepts `token` instead of `data` (as the original code wanted) and no transaction at all', async () => {
    const client = await pool.open(srv).connect(); // no app in the query: app 1
    client.emit('auth', { token: await tokenFor(srv, unique('tok')) });
    const { data } = await client.next<Record<string, unknown>>('auth-success');
    expect(data).toEqual({ userId: expect.any(Number) });
    expect(data).not.toHaveProperty('transaction');
  });

  it('accepts a JWT of the app as the access token', async () => {
    const jwt = await new SignJWT({ username: 'jwt-user' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode('a-very-secret-jwt-key-for-tests'));
    const client = await pool.open(srv, { app: String(app2) }).connect();
    const { userId } = await client.auth(jwt, 'jwt-1');
    expect(userId).toBeGreaterThan(0);
    // and a forged one is refused
    const other = await pool.open(srv, { app: String(app2) }).connect();
    other.emit('auth', { transaction: 'jwt-2', data: `${jwt.slice(0, -4)}AAAA` });
    await expectError(other, 'auth', 'jwt-2', 'The token is invalid');
    // App 1 has no JWT settings: a JWT there is refused as such.
    const app1 = await pool.open(srv, { app: '1' }).connect();
    app1.emit('auth', { transaction: 'jwt-3', data: jwt });
    await expectError(app1, 'auth', 'jwt-3', 'This app does not accept JWTs');
  });

  it('an unknown token: socket-api-error and socket-api-error-<transaction>; the connection may try again', async () => {
    const client = await pool.open(srv, { app: '1' }).connect();
    client.emit('auth', { transaction: 'tx-unknown', data: 'pt_not-a-real-token' });
    await expectError(client, 'auth', 'tx-unknown', INVALID_CREDENTIALS);
    // A token of another workspace says nothing about this one.
    client.emit('auth', { transaction: 'tx-other-app', data: await tokenFor(srv, unique('o'), app2) });
    await expectError(client, 'auth', 'tx-other-app', INVALID_CREDENTIALS);
    await client.auth(await tokenFor(srv, unique('retry')));
  });

  it('expired credentials: refused at auth, and a connection whose token expires is told and closed', async () => {
    const username = unique('exp');
    const issued = await api<{ token: string; expiresAt: number }>(srv, 'POST', '/api/v1/apps/1/tokens', {
      username,
      ttlSeconds: 1,
    });
    const live = await pool.open(srv, { app: '1' }).connect();
    await live.auth(issued.token);
    const { data } = await live.next<ErrorData>('socket-api-error');
    expect(data).toEqual({ event: 'auth', message: 'The credentials have expired' });
    expect(await live.disconnected).toBe('io server disconnect');

    await waitFor(() => Date.now() > issued.expiresAt, { label: 'the token to expire' });
    const late = await pool.open(srv, { app: '1' }).connect();
    late.emit('auth', { transaction: 'late', data: issued.token });
    await expectError(late, 'auth', 'late', 'The credentials have expired');
  });

  it('a revoked token: the live connection is told as for failed auth and closed; the token is refused', async () => {
    const username = unique('rev');
    const issued = await api<{ token: string; tokenId: string }>(srv, 'POST', '/api/v1/apps/1/tokens', {
      username,
    });
    const live = await pool.open(srv, { app: '1' }).connect();
    await live.auth(issued.token);
    await api(srv, 'DELETE', `/api/v1/apps/1/tokens/${issued.tokenId}`);
    const { data } = await live.next<ErrorData>('socket-api-error');
    expect(data).toEqual({ event: 'auth', message: 'Access was revoked' });
    expect(await live.disconnected).toBe('io server disconnect');

    const again = await pool.open(srv, { app: '1' }).connect();
    again.emit('auth', { transaction: 'again', data: issued.token });
    await expectError(again, 'auth', 'again', INVALID_CREDENTIALS);
  });

  it('a banned user is refused at auth; after the ban is lifted they may authenticate', async () => {
    const username = unique('banned');
    const token = await tokenFor(srv, username);
    await api(srv, 'POST', '/api/v1/apps/1/bans', { username, reason: 'spam' });
    const client = await pool.open(srv, { app: '1' }).connect();
    client.emit('auth', { transaction: 'b1', data: token });
    await expectError(client, 'auth', 'b1', /banned/i);
    await api(srv, 'DELETE', `/api/v1/apps/1/bans/${username}`);
    await client.auth(token);
  });

  it('malformed auth payloads are answered, never crash, and name the offending field', async () => {
    const client = await pool.open(srv, { app: '1' }).connect();
    const cases: [unknown, RegExp][] = [
      ['just-a-token-string', /expects an object/],
      [42, /expects an object/],
      [null, /expects an object/],
      [['data'], /expects an object/],
      [{ transaction: 'm1' }, /^data: /],
      [{ transaction: 'm2', data: 12345 }, /^data: /],
      [{ transaction: 'm3', data: '' }, /^data: /],
      [{ transaction: 'm4', data: 'a', token: 'b' }, /^data: /],
      [{ transaction: 'm5', data: 'x', extra: true }, /^extra: unknown field/],
      [JSON.parse('{"transaction":"m6","data":"x","__proto__":{"admin":true}}'), /^__proto__: unknown field/],
      [{ transaction: 'm7', data: 'x', constructor: { prototype: {} } }, /^constructor: unknown field/],
      [{ transaction: 'm8', data: 'x'.repeat(20_000) }, /^data: /],
    ];
    for (const [payload, message] of cases) {
      client.emit('auth', payload);
      const transaction =
        typeof payload === 'object' && payload !== null && 'transaction' in payload
          ? String((payload as { transaction: unknown }).transaction)
          : null;
      await expectError(client, 'auth', transaction, message);
    }
    // Two data arguments
    client.emit('auth', { transaction: 'two', data: 'x' }, 'extra');
    await expectError(client, 'auth', 'two', /one data object/);
    // Nothing of that authenticated the connection
    client.emit('get-channels', { transaction: 'still-anon' });
    await expectError(client, 'get-channels', 'still-anon', /Authenticate first/);
  });

  it('an invalid transaction gets only the general socket-api-error', async () => {
    const client = await pool.open(srv, { app: '1' }).connect();
    const long = 't'.repeat(129);
    client.emit('auth', { transaction: long, data: 'whatever' });
    const { data } = await client.next<ErrorData>('socket-api-error');
    expect(data).toEqual({ event: 'auth', message: expect.stringMatching(/^transaction: /) });
    client.emit('auth', { transaction: 7, data: 'whatever' });
    expect((await client.next<ErrorData>('socket-api-error')).data.message).toMatch(/^transaction: /);
    client.emit('auth', { transaction: '', data: 'whatever' });
    expect((await client.next<ErrorData>('socket-api-error')).data.message).toMatch(/^transaction: /);
    const before = await client.marker();
    expect(before.map((r) => r.event)).toEqual([]);
    // The 128-character transaction is still fine.
    const ok = 'k'.repeat(128);
    client.emit('auth', { transaction: ok, data: 'pt_nope' });
    await expectError(client, 'auth', ok, INVALID_CREDENTIALS);
    expect(client.all(`socket-api-error-${long}`)).toEqual([]);
  });

  it('an unknown event, before or after auth, is answered with that event name', async () => {
    const client = await pool.open(srv, { app: '1' }).connect();
    client.emit('no-such-event', { transaction: 'u1' });
    await expectError(client, 'no-such-event', 'u1', 'Unknown event');
    await client.auth(await tokenFor(srv, unique('unk')));
    client.emit('create-channel', { transaction: 'u2', name: 'x' });
    await expectError(client, 'create-channel', 'u2', 'Unknown event');
    client.emit('__proto__', { transaction: 'u3' });
    await expectError(client, '__proto__', 'u3', 'Unknown event');
    client.emit('constructor');
    await expectError(client, 'constructor', null, 'Unknown event');
    // A huge name is echoed cut to 128 characters.
    const huge = 'e'.repeat(1000);
    client.emit(huge, {});
    await expectError(client, huge.slice(0, 128), null, 'Unknown event');
  });

  it('an event before auth is refused, and nothing else is delivered before auth-success', async () => {
    const client = await pool.open(srv, { app: '1' }).connect();
    client.emit('get-channels', { transaction: 'early' });
    await expectError(client, 'get-channels', 'early', /Authenticate first/);
    client.emit('join-channel', { transaction: 'early2', channelId: 1 });
    await expectError(client, 'join-channel', 'early2', /Authenticate first/);
    // Things happen in the workspace: a room is created, another user comes online.
    await api(srv, 'POST', '/api/v1/apps/1/rooms', { name: unique('pre-auth-') });
    const native = natives.client(srv, 'ws', { token: await tokenFor(srv, unique('n')) });
    await native.connect();
    expect(await client.marker()).toEqual([]);
    // After auth the connection hears what happens from then on, and auth-success came first.
    client.emit('auth', { transaction: 'now', data: await tokenFor(srv, unique('late')) });
    const { before } = await client.next('auth-success');
    expect(before).toEqual([]);
    const room = unique('post-auth-');
    await api(srv, 'POST', '/api/v1/apps/1/rooms', { name: room });
    expect(await client.wait('channel-created', (c) => c.name === room)).toMatchObject({ name: room });
  });

  it('a second auth renews the same user; a token of someone else is refused and the session goes on', async () => {
    const username = unique('renew');
    const client = await pool.open(srv, { app: '1' }).connect();
    const { userId } = await client.auth(await tokenFor(srv, username));
    client.emit('auth', { transaction: 'again', data: await tokenFor(srv, username) });
    expect(await client.wait('auth-success', (d) => d.transaction === 'again')).toEqual({
      transaction: 'again',
      userId,
    });
    client.emit('auth', { transaction: 'someone-else', data: await tokenFor(srv, unique('else')) });
    await expectError(client, 'auth', 'someone-else', /another user/);
    client.emit('get-channels', { transaction: 'after' });
    expect(await client.wait('channels-list')).toMatchObject({ transaction: 'after' });
  });

  it('an unknown or malformed app, or an Origin the app does not allow, gets socket-api-error and a disconnect', async () => {
    const unknown = pool.open(srv, { app: '999' });
    await unknown.connect();
    const { data } = await unknown.next<ErrorData>('socket-api-error');
    expect(data).toEqual({ event: 'connection', message: 'Unknown workspace: no app 999' });
    expect(await unknown.disconnected).toBe('io server disconnect');

    for (const app of ['abc', '0', '-1', '1.5', '9'.repeat(20)]) {
      const bad = pool.open(srv, { app });
      await bad.connect();
      const error = await bad.next<ErrorData>('socket-api-error');
      expect(error.data).toEqual({ event: 'connection', message: expect.stringMatching(/^app must be/) });
      expect(await bad.disconnected).toBe('io server disconnect');
    }

    const locked = await api<{ id: number }>(srv, 'POST', '/api/v1/apps', {
      name: 'locked-origins',
      settings: { allowedOrigins: ['https://good.example'] },
    });
    const evil = pool.open(srv, { app: String(locked.id), extraHeaders: { origin: 'https://evil.example' } });
    await evil.connect();
    expect((await evil.next<ErrorData>('socket-api-error')).data).toEqual({
      event: 'connection',
      message: 'The Origin is not allowed for this app',
    });
    expect(await evil.disconnected).toBe('io server disconnect');
    const good = pool.open(srv, { app: String(locked.id), extraHeaders: { origin: 'https://good.example' } });
    await good.connect();
    await good.auth(await tokenFor(srv, unique('good'), locked.id));
  });

  it('a socket.io ack callback is not used: the reply is the event, as the document says', async () => {
    const client = await pool.open(srv, { app: '1' }).connect();
    let acked = false;
    client.socket.emit('auth', { transaction: 'with-ack', data: await tokenFor(srv, unique('ack')) }, () => {
      acked = true;
    });
    expect(await client.wait('auth-success')).toMatchObject({ transaction: 'with-ack' });
    await client.marker();
    expect(acked).toBe(false);
  });

  it('a frame over the limit closes only that connection', async () => {
    const witness = await pool.user(srv, unique('witness'));
    const big = await pool.open(srv, { app: '1' }).connect();
    big.emit('auth', { data: 'x'.repeat(70 * 1024) });
    expect(await big.disconnected).toBe('transport close');
    witness.emit('get-channels', { transaction: 'alive' });
    expect(await witness.wait('channels-list')).toMatchObject({ transaction: 'alive' });
  });
});

describe('socketapi: timeouts and shutdown', () => {
  it('a connection that does not authenticate in time is told and closed; shutdown disconnects', async () => {
    const srv = await startTestServer({ authTimeoutMs: 300 });
    const pool = new SocketApiPool();
    try {
      const idle = await pool.open(srv, { app: '1' }).connect();
      const { data } = await idle.next<ErrorData>('socket-api-error');
      expect(data).toEqual({ event: 'auth', message: 'No authentication in time' });
      expect(await idle.disconnected).toBe('io server disconnect');

      const authed = await pool.user(srv, unique('stay'));
      const closing = srv.close();
      expect(await authed.disconnected).toBe('io server disconnect');
      await closing;
    } finally {
      pool.closeAll();
      await srv.close();
    }
  });
});
