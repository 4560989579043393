/** The WebSocket framing at the frame level, with a plain `ws` client ([proto.ws]). */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api, ClientPool, NO_FLOOD, patchApp } from './helpers.js';

describe('native WebSocket framing', () => {
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

  async function open(query = '') {
    const raw = pool.rawWs(srv, query);
    await raw.opened;
    return raw;
  }

  it('[proto.ws.frames] answers a request with {id, ok, data} and pushes {event, data}', async () => {
    const raw = await open();
    const auth = await raw.request('auth', { guest: 'frames' });
    expect(auth).toMatchObject({ id: 1, ok: true, data: { user: { username: 'frames' }, expiresAt: null } });
    expect(await raw.request('join', { room: 'lobby' })).toMatchObject({
      ok: true,
      data: { room: { name: 'lobby' } },
    });
    const sent = await raw.request('send', { room: 'lobby', text: 'hi' });
    expect(sent).toMatchObject({ ok: true, data: { kind: 'message' } });
    const push = await raw.frame((f) => f.event === 'message');
    expect(push).toEqual({
      event: 'message',
      data: { room: expect.any(Object), message: expect.any(Object) },
    });
    expect(Object.keys(push.data as object).sort()).toEqual(['message', 'room']);
    // string ids are echoed too
    raw.sendText(JSON.stringify({ id: 'abc', op: 'ping' }));
    expect(await raw.frame((f) => f.id === 'abc')).toMatchObject({
      ok: true,
      data: { time: expect.any(Number) },
    });
  });

  it('[proto.ws.malformed] non-JSON and non-object frames get {id: null, bad_request}; the connection stays usable', async () => {
    const raw = await open();
    for (const text of ['not json', '{"id":1', '[1,2,3]', '"text"', '42', 'null', 'true']) {
      raw.sendText(text);
      const reply = await raw.frame((f) => f.id === null);
      expect(reply).toMatchObject({ id: null, ok: false, error: { code: 'bad_request', status: 400 } });
    }
    raw.sendText(JSON.stringify({ op: 'ping' }));
    expect(await raw.frame((f) => f.id === null)).toMatchObject({
      error: { code: 'bad_request', details: { field: 'id' } },
    });
    raw.sendText(JSON.stringify({ id: { nested: true }, op: 'ping' }));
    expect(await raw.frame((f) => f.id === null)).toMatchObject({ error: { code: 'bad_request' } });
    raw.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await raw.frame((f) => f.id === null)).toMatchObject({ error: { code: 'bad_request' } });
    expect(await raw.request('ping')).toMatchObject({ ok: true });
  });

  it('[proto.validation] wrong types name the field; unknown ops and keys are refused', async () => {
    const raw = await open();
    expect(await raw.request('auth', { guest: 5 })).toMatchObject({
      ok: false,
      error: { code: 'bad_request', details: { field: 'guest' } },
    });
    expect(await raw.request('auth', { guest: 'x'.repeat(65) })).toMatchObject({
      error: { code: 'bad_request', details: { field: 'guest' } },
    });
    expect(await raw.request('auth', { token: 't', guest: 'g' })).toMatchObject({
      error: { code: 'bad_request' },
    });
    expect(await raw.request('auth', { username: 'only-name' })).toMatchObject({
      error: { code: 'bad_request', details: { field: 'password' } },
    });
    expect(await raw.request('no.such.op')).toMatchObject({
      ok: false,
      error: { code: 'unknown_operation' },
    });
    for (const op of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(await raw.request(op, {})).toMatchObject({ error: { code: 'unknown_operation' } });
    }
    raw.sendText('{"id":7,"op":5}');
    expect(await raw.frame((f) => f.id === 7)).toMatchObject({
      error: { code: 'bad_request', details: { field: 'op' } },
    });
    raw.sendText('{"id":8,"op":"ping","extra":1}');
    expect(await raw.frame((f) => f.id === 8)).toMatchObject({
      error: { code: 'bad_request', details: { field: 'extra' } },
    });
    expect(await raw.request('ping', null)).toMatchObject({ error: { code: 'bad_request' } });
    expect(await raw.request('ping', 'data')).toMatchObject({ error: { code: 'bad_request' } });
    expect(await raw.request('auth', { guest: 'typed' })).toMatchObject({ ok: true });
    expect(await raw.request('join', { room: 'lobby', sinceSeq: -1 })).toMatchObject({
      error: { code: 'bad_request', details: { field: 'sinceSeq' } },
    });
    expect(await raw.request('history', { room: 'lobby', limit: 1.5 })).toMatchObject({
      error: { code: 'bad_request', details: { field: 'limit' } },
    });
    expect(await raw.request('typing', { room: 'lobby', typing: 'yes' })).toMatchObject({
      error: { code: 'bad_request', details: { field: 'typing' } },
    });
  });

  it('[proto.validation] `__proto__` and `constructor` keys are rejected, in the frame and in data', async () => {
    const raw = await open();
    raw.sendText('{"id":1,"op":"auth","data":{"guest":"proto","__proto__":{"role":"owner"}}}');
    expect(await raw.frame((f) => f.id === 1)).toMatchObject({
      ok: false,
      error: { code: 'bad_request', details: { field: '__proto__' } },
    });
    raw.sendText('{"id":2,"op":"auth","data":{"guest":"proto","constructor":{"prototype":{"x":1}}}}');
    expect(await raw.frame((f) => f.id === 2)).toMatchObject({
      error: { code: 'bad_request', details: { field: 'constructor' } },
    });
    raw.sendText('{"id":3,"op":"ping","__proto__":{"polluted":true}}');
    expect(await raw.frame((f) => f.id === 3)).toMatchObject({ error: { code: 'bad_request' } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).role).toBeUndefined();
    // still usable
    expect(await raw.request('auth', { guest: 'proto' })).toMatchObject({ ok: true });
    raw.sendText('{"id":9,"op":"send","data":{"room":"lobby","text":"x","__proto__":null}}');
    expect(await raw.frame((f) => f.id === 9)).toMatchObject({ error: { code: 'bad_request' } });
  });

  it('[proto.auth] before auth only auth and ping work; auth twice is already_authenticated', async () => {
    const raw = await open();
    for (const op of ['rooms.list', 'join', 'send', 'history', 'kick']) {
      expect(await raw.request(op, { room: 'lobby' })).toMatchObject({
        ok: false,
        error: { code: 'unauthorized' },
      });
    }
    expect(await raw.request('ping')).toMatchObject({ ok: true });
    expect(await raw.request('auth', { token: 'pt_not-a-real-token' })).toMatchObject({
      error: { code: 'unauthorized' },
    });
    expect(await raw.request('auth', { guest: 'twice' })).toMatchObject({ ok: true });
    expect(await raw.request('auth', { guest: 'twice' })).toMatchObject({
      error: { code: 'already_authenticated' },
    });
  });

  it('[proto.handshake] credentials in the query authenticate the connection', async () => {
    const raw = await open('?guest=handshaker');
    expect(await raw.request('join', { room: 'lobby' })).toMatchObject({ ok: true });
    expect(await raw.request('auth', { guest: 'x' })).toMatchObject({
      error: { code: 'already_authenticated' },
    });
    const bad = pool.rawWs(srv, '?token=pt_nope');
    await bad.opened;
    expect(await bad.frame((f) => f.id === null)).toMatchObject({ error: { code: 'unauthorized' } });
    expect(await bad.closed).toEqual({ code: 4003, reason: 'unauthorized' });
  });

  it('[proto.app] an unknown or malformed app closes the connection', async () => {
    const unknown = pool.rawWs(srv, '?app=999');
    expect(await unknown.closed).toEqual({ code: 4010, reason: 'not_found' });
    expect(unknown.frames).toEqual([
      { id: null, ok: false, error: expect.objectContaining({ code: 'not_found' }) },
    ]);
    const malformed = pool.rawWs(srv, '?app=abc');
    expect((await malformed.closed).code).toBe(1002);
  });

  it('[proto.origin] the app’s allowedOrigins are enforced once the app is known', async () => {
    const app = await api<{ id: number }>(srv, 'POST', '/api/v1/apps', {
      name: 'strict-origins',
      settings: { allowedOrigins: ['https://good.example'] },
    });
    const good = pool.rawWs(srv, `?app=${app.id}&guest=fine`, { origin: 'https://good.example' });
    await good.opened;
    expect(await good.request('rooms.list')).toMatchObject({ ok: true });
    const evil = pool.rawWs(srv, `?app=${app.id}`, { origin: 'https://evil.example' });
    expect(await evil.closed).toEqual({ code: 4003, reason: 'origin_not_allowed' });
    expect(evil.frames).toEqual([
      { id: null, ok: false, error: expect.objectContaining({ code: 'origin_not_allowed' }) },
    ]);
    // App 1 allows any origin (server default): the same origin is fine there.
    const other = pool.rawWs(srv, '', { origin: 'https://evil.example' });
    await other.opened;
    expect(await other.request('ping')).toMatchObject({ ok: true });
  });
});

describe('native WebSocket limits', () => {
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

  it('[proto.limits] a frame over maxFrameBytes closes with 1009; another client is unaffected', async () => {
    const bystander = pool.rawWs(srv, '?guest=bystander');
    await bystander.opened;
    const offender = pool.rawWs(srv, '?guest=offender');
    await offender.opened;
    expect(await offender.request('ping')).toMatchObject({ ok: true });
    offender.sendText(JSON.stringify({ id: 1, op: 'send', data: { room: 'lobby', text: 'x'.repeat(2000) } }));
    expect((await offender.closed).code).toBe(1009);
    expect(await bystander.request('ping')).toMatchObject({ ok: true });
    expect(await bystander.request('join', { room: 'lobby' })).toMatchObject({ ok: true });
  });

  it('[proto.auth-timeout] a connection that does not authenticate in time is closed with 4002', async () => {
    const authed = pool.rawWs(srv);
    await authed.opened;
    expect(await authed.request('auth', { guest: 'in-time' })).toMatchObject({ ok: true });
    const idle = pool.rawWs(srv);
    await idle.opened;
    expect(await idle.request('ping')).toMatchObject({ ok: true });
    expect(await idle.closed).toEqual({ code: 4002, reason: 'auth_timeout' });
    // `authed` opened before `idle`, so its timeout would have fired by now: authenticating cancelled it.
    expect(await authed.request('ping')).toMatchObject({ ok: true });
  });
});
