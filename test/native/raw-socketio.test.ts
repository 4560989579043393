/** The socket.io framing at the event level, with a plain socket.io-client ([proto.socketio]). */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { once } from '../helpers/wait.js';
import { api, ClientPool, emitAck, NO_FLOOD, patchApp } from './helpers.js';

async function connected(socket: Socket): Promise<Socket> {
  if (!socket.connected) await once(socket, 'connect', { rejectOn: ['connect_error'] });
  return socket;
}

describe('native socket.io framing', () => {
  let srv: TestServer;
  const pool = new ClientPool();

  beforeAll(async () => {
    srv = await startTestServer();
    await patchApp(srv, NO_FLOOD);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  it('[proto.socketio.acks] ops are events acked with {ok, data}; pushes arrive as ordinary events', async () => {
    const socket = await connected(pool.rawIo(srv));
    expect(await emitAck(socket, 'auth', { guest: 'io-user' })).toMatchObject({
      ok: true,
      data: { user: { username: 'io-user' } },
    });
    expect(await emitAck(socket, 'join', { room: 'lobby' })).toMatchObject({ ok: true });
    // The push is written once at the engine.io level; socket.io-client must see a normal event.
    const pushed = once<[Record<string, unknown>]>(socket, 'message');
    const sent = await emitAck(socket, 'send', { room: 'lobby', text: 'over socket.io' });
    expect(sent).toMatchObject({ ok: true, data: { kind: 'message' } });
    const [event] = await pushed;
    expect(event).toMatchObject({ room: { name: 'lobby' }, message: { text: 'over socket.io' } });
    expect(event).not.toHaveProperty('type');
    // No data at all is fine for ops without fields.
    expect(await emitAck(socket, 'ping')).toMatchObject({ ok: true, data: { time: expect.any(Number) } });
  });

  it('[proto.socketio.no-ack] without a callback, a failure comes back as an `error` event', async () => {
    const socket = await connected(pool.rawIo(srv));
    const error = once<[Record<string, unknown>]>(socket, 'error');
    socket.emit('join', { room: 'lobby' });
    expect((await error)[0]).toMatchObject({ code: 'unauthorized', status: 401 });
    const unknownOp = once<[Record<string, unknown>]>(socket, 'error');
    socket.emit('nope');
    expect((await unknownOp)[0]).toMatchObject({ code: 'unknown_operation' });
    // and a success without a callback is silent, the connection goes on
    socket.emit('auth', { guest: 'no-ack' });
    expect(await emitAck(socket, 'join', { room: 'lobby' })).toMatchObject({ ok: true });
  });

  it('[proto.validation] wrong types, unknown ops, `__proto__` and `constructor` are refused', async () => {
    const socket = await connected(pool.rawIo(srv));
    expect(await emitAck(socket, 'auth', { guest: ['x'] })).toMatchObject({
      ok: false,
      error: { code: 'bad_request', details: { field: 'guest' } },
    });
    expect(await emitAck(socket, 'auth', 'guest')).toMatchObject({ error: { code: 'bad_request' } });
    expect(await emitAck(socket, 'auth', { guest: 'a' }, 'extra')).toMatchObject({
      error: { code: 'bad_request' },
    });
    expect(await emitAck(socket, 'no.such.op', {})).toMatchObject({ error: { code: 'unknown_operation' } });
    expect(await emitAck(socket, '__proto__', {})).toMatchObject({ error: { code: 'unknown_operation' } });
    expect(await emitAck(socket, 'constructor', {})).toMatchObject({ error: { code: 'unknown_operation' } });
    const proto = JSON.parse('{"guest":"p","__proto__":{"role":"owner"}}') as unknown;
    expect(await emitAck(socket, 'auth', proto)).toMatchObject({
      error: { code: 'bad_request', details: { field: '__proto__' } },
    });
    expect(await emitAck(socket, 'auth', { guest: 'p', constructor: { prototype: {} } })).toMatchObject({
      error: { code: 'bad_request', details: { field: 'constructor' } },
    });
    expect(await emitAck(socket, 'rooms.list')).toMatchObject({ error: { code: 'unauthorized' } });
    expect(await emitAck(socket, 'auth', { guest: 'p' })).toMatchObject({ ok: true });
    expect(await emitAck(socket, 'auth', { guest: 'p' })).toMatchObject({
      error: { code: 'already_authenticated' },
    });
  });

  it('[proto.handshake] credentials and app in handshake.auth; refusals are connect_error with the body', async () => {
    const socket = await connected(pool.rawIo(srv, { guest: 'hs-guest' }));
    expect(await emitAck(socket, 'join', { room: 'lobby' })).toMatchObject({ ok: true });
    const refused = pool.rawIo(srv, { token: 'pt_nope' });
    const [err] = await once<[Error & { data?: unknown }]>(refused, 'connect_error');
    expect(err.data).toMatchObject({ code: 'unauthorized' });
    const noApp = pool.rawIo(srv, { app: 999 });
    const [appErr] = await once<[Error & { data?: unknown }]>(noApp, 'connect_error');
    expect(appErr.data).toMatchObject({ code: 'not_found' });
  });

  it('[proto.origin] the app’s allowedOrigins are checked at the handshake', async () => {
    const app = await api<{ id: number }>(srv, 'POST', '/api/v1/apps', {
      name: 'io-strict-origins',
      settings: { allowedOrigins: ['https://good.example'] },
    });
    const good = await connected(pool.rawIo(srv, { app: app.id }, { origin: 'https://good.example' }));
    expect(await emitAck(good, 'ping')).toMatchObject({ ok: true });
    const evil = pool.rawIo(srv, { app: app.id }, { origin: 'https://evil.example' });
    const [err] = await once<[Error & { data?: unknown }]>(evil, 'connect_error');
    expect(err.data).toMatchObject({ code: 'origin_not_allowed', status: 403 });
  });

  it('[proto.disconnect] the server says why before it disconnects (kick → disconnect_reason kicked 4004)', async () => {
    const victim = await connected(pool.rawIo(srv, { guest: 'victim' }));
    const reason = once<[Record<string, unknown>]>(victim, 'disconnect_reason');
    const gone = once<[string]>(victim, 'disconnect');
    await srv.server.engine.kick(1, 'victim', { reason: 'test' });
    expect((await reason)[0]).toEqual({ reason: 'kicked', code: 4004, message: expect.any(String) });
    expect((await gone)[0]).toBe('io server disconnect');
  });
});

describe('native socket.io limits', () => {
  let srv: TestServer;
  const pool = new ClientPool();

  beforeAll(async () => {
    srv = await startTestServer({ maxFrameBytes: 1024, authTimeoutMs: 300 });
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  it('[proto.limits] an oversized packet drops that socket only', async () => {
    const bystander = await connected(pool.rawIo(srv, { guest: 'io-bystander' }));
    const offender = await connected(pool.rawIo(srv, { guest: 'io-offender' }));
    const gone = once<[string]>(offender, 'disconnect');
    offender.emit('send', { room: 'lobby', text: 'x'.repeat(4000) }, () => {});
    expect((await gone)[0]).toMatch(/transport (close|error)/);
    expect(await emitAck(bystander, 'ping')).toMatchObject({ ok: true });
  });

  it('[proto.auth-timeout] an unauthenticated socket is told auth_timeout and disconnected', async () => {
    const idle = await connected(pool.rawIo(srv));
    const [reason] = await once<[Record<string, unknown>]>(idle, 'disconnect_reason');
    expect(reason).toMatchObject({ reason: 'auth_timeout', code: 4002 });
  });
});
