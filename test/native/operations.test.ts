/** Unit tests of the operation table and the per-connection state, against a fake engine ([proto.validation]). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from 'pino';
import type { ServerConfig } from '../../src/config/types.js';
import { disconnect } from '../../src/core/disconnect.js';
import { ParleyError } from '../../src/core/errors.js';
import type { User } from '../../src/core/types.js';
import type { EngineApi, Session, SessionSink } from '../../src/engine/api.js';
import type { Credentials, Principal } from '../../src/core/identity.js';
import {
  NativeConnection,
  parseAppId,
  parseHandshakeCredentials,
} from '../../src/gateways/native/connection.js';
import { OPERATIONS, validate } from '../../src/gateways/native/operations.js';
import { NATIVE_OPS } from '../../src/protocol/native.js';
import { z } from 'zod';

const USER: User = { id: 1, appId: 1, username: 'ann', role: 'member', kind: 'account', createdAt: 0 };
const PRINCIPAL: Principal = { appId: 1, user: USER, expiresAt: null, via: 'token' };

function fakeSession(overrides: Partial<Session> = {}): Session & { closeCalls: number } {
  const session = {
    id: 's1',
    appId: 1,
    user: { id: 1, username: 'ann', role: 'member' as const },
    principal: PRINCIPAL,
    rooms: new Set<string>(),
    closeCalls: 0,
    close() {
      session.closeCalls++;
    },
    listRooms: async () => [],
    join: async (room: string) => ({
      room: {
        id: 1,
        name: room,
        visibility: 'public' as const,
        topic: '',
        createdAt: 0,
        lastSeq: 0,
        online: 1,
      },
      messages: [],
      gap: null,
      lastSeq: 0,
      online: [],
    }),
    ...overrides,
  };
  return session as unknown as Session & { closeCalls: number };
}

interface Harness {
  connection: NativeConnection;
  sink: SessionSink & { terminated: string[] };
  logger: { error: ReturnType<typeof vi.fn>; debug: ReturnType<typeof vi.fn> };
  engine: { authenticate: ReturnType<typeof vi.fn>; openSession: ReturnType<typeof vi.fn> };
  session: Session & { closeCalls: number };
}

function harness(
  opts: { session?: Partial<Session>; authenticate?: (c: Credentials) => Promise<Principal> } = {},
) {
  const session = fakeSession(opts.session);
  const engine = {
    authenticate: vi.fn(async (_app: number, credentials: Credentials) =>
      opts.authenticate ? opts.authenticate(credentials) : PRINCIPAL,
    ),
    openSession: vi.fn(() => session),
    getApp: vi.fn(async () => ({ id: 1, name: 'default', settings: { allowedOrigins: null }, createdAt: 0 })),
  };
  const logger = { error: vi.fn(), debug: vi.fn(), info: vi.fn(), warn: vi.fn() };
  const config = { authTimeoutMs: 1000, allowedOrigins: null } as unknown as ServerConfig;
  const sink = {
    terminated: [] as string[],
    deliver: vi.fn(),
    bufferedBytes: () => 0,
    terminate(reason: { reason: string }) {
      sink.terminated.push(reason.reason);
    },
  };
  const connection = new NativeConnection(
    { engine: engine as unknown as EngineApi, config, logger: logger as unknown as Logger },
    'ws',
    sink,
  );
  return { connection, sink, logger, engine, session } as Harness;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the operation table', () => {
  it('[proto.ops] has exactly the protocol operations', () => {
    expect([...OPERATIONS.keys()]).toEqual([...NATIVE_OPS]);
    expect(OPERATIONS.get('__proto__')).toBeUndefined();
    expect(OPERATIONS.get('constructor')).toBeUndefined();
  });

  it('[proto.validation] names the offending field and lists the issues', () => {
    const schema = z.strictObject({ room: z.string().max(3), n: z.number().int().optional() });
    const fail = (raw: unknown) => {
      try {
        validate(schema, raw);
      } catch (err) {
        return err as ParleyError;
      }
      throw new Error('expected a failure');
    };
    expect(fail({ room: 'long' }).details).toMatchObject({
      field: 'room',
      issues: [{ path: 'room', code: 'too_big' }],
    });
    expect(fail({ room: 'a', n: 1.5 }).details).toMatchObject({ field: 'n' });
    expect(fail(JSON.parse('{"room":"a","__proto__":{"x":1}}')).details).toMatchObject({
      field: '__proto__',
    });
    expect(fail({ room: 'a', constructor: 1 }).details).toMatchObject({ field: 'constructor' });
    expect(fail(null).code).toBe('bad_request');
    expect(fail([]).code).toBe('bad_request');
    expect(validate(schema, { room: 'abc' })).toEqual({ room: 'abc' });
  });
});

describe('NativeConnection', () => {
  async function started(h: Harness) {
    await h.connection.start(Promise.resolve({ appId: 1, principal: null }));
    return h;
  }

  it('[proto.auth] gates operations on authentication', async () => {
    const h = await started(harness());
    expect(await h.connection.dispatch('join', { room: 'lobby' })).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
    expect(await h.connection.dispatch('ping', undefined)).toMatchObject({
      ok: true,
      data: { time: expect.any(Number) },
    });
    expect(await h.connection.dispatch('nope', {})).toMatchObject({
      error: { code: 'unknown_operation', details: { op: 'nope' } },
    });
    expect(await h.connection.dispatch(42, {})).toMatchObject({ error: { code: 'unknown_operation' } });
    expect(await h.connection.dispatch('auth', { guest: 'ann' })).toMatchObject({
      ok: true,
      data: { user: USER },
    });
    expect(h.engine.authenticate).toHaveBeenCalledWith(1, { kind: 'guest', nickname: 'ann' }, undefined);
    expect(h.engine.openSession).toHaveBeenCalledWith(PRINCIPAL, h.sink, {
      transport: 'ws',
      dialect: 'native',
    });
    expect(await h.connection.dispatch('auth', { guest: 'ann' })).toMatchObject({
      error: { code: 'already_authenticated' },
    });
    expect(await h.connection.dispatch('join', { room: 'lobby' })).toMatchObject({ ok: true });
  });

  it('[proto.auth] maps each kind of credentials', async () => {
    const cases: [unknown, Credentials][] = [
      [{ token: 'pt_x' }, { kind: 'token', token: 'pt_x' }],
      [{ jwt: 'eyJ.a.b' }, { kind: 'jwt', jwt: 'eyJ.a.b' }],
      [
        { username: 'ann', password: 'secret' },
        { kind: 'password', username: 'ann', password: 'secret' },
      ],
      [{ guest: 'gus' }, { kind: 'guest', nickname: 'gus' }],
    ];
    for (const [data, credentials] of cases) {
      const h = await started(harness());
      await h.connection.dispatch('auth', data);
      expect(h.engine.authenticate).toHaveBeenCalledWith(1, credentials, undefined);
    }
    expect(parseHandshakeCredentials({ token: 'eyJhbGciOiJIUzI1NiJ9.e30.sig' })).toEqual({
      kind: 'jwt',
      jwt: 'eyJhbGciOiJIUzI1NiJ9.e30.sig',
    });
    expect(parseHandshakeCredentials({})).toBeNull();
    expect(() => parseHandshakeCredentials({ token: 'a', guest: 'b' })).toThrow(ParleyError);
    expect(parseAppId(undefined)).toBe(1);
    expect(parseAppId('7')).toBe(7);
    expect(parseAppId(3)).toBe(3);
    for (const bad of ['0', '-1', 'abc', '1.5', '01', '1e3', '9999999999'])
      expect(() => parseAppId(bad)).toThrow(ParleyError);
  });

  it('[proto.ordering] requests pipelined behind auth wait for it', async () => {
    let release: (p: Principal) => void = () => {};
    const h = await started(
      harness({ authenticate: () => new Promise<Principal>((resolve) => (release = resolve)) }),
    );
    const auth = h.connection.dispatch('auth', { guest: 'ann' });
    const join = h.connection.dispatch('join', { room: 'lobby' });
    const second = h.connection.dispatch('auth', { guest: 'ann' });
    expect(await second).toMatchObject({ error: { code: 'already_authenticated' } });
    release(PRINCIPAL);
    expect(await auth).toMatchObject({ ok: true });
    expect(await join).toMatchObject({ ok: true });
  });

  it('[proto.robustness] unexpected throws become `internal`, logged without the request data', async () => {
    const h = await started(
      harness({
        session: {
          send: async () => {
            throw new TypeError('kaboom');
          },
        },
      }),
    );
    await h.connection.dispatch('auth', { token: 'pt_secret-token-value' });
    const reply = await h.connection.dispatch('send', { room: 'lobby', text: 'a very private message' });
    expect(reply).toEqual({ ok: false, error: { code: 'internal', status: 500, message: 'Internal error' } });
    expect(h.logger.error).toHaveBeenCalledTimes(1);
    const logged = JSON.stringify(h.logger.error.mock.calls[0]);
    expect(logged).toContain('kaboom');
    expect(logged).toContain('send');
    expect(logged).not.toContain('a very private message');
    expect(logged).not.toContain('pt_secret-token-value');
    // catalogue errors are answered as they are, and not logged as failures
    const known = await started(
      harness({
        session: {
          send: async () => {
            throw new ParleyError('muted', 'You are muted', { expiresAt: null });
          },
        },
      }),
    );
    await known.connection.dispatch('auth', { guest: 'ann' });
    expect(await known.connection.dispatch('send', { room: 'lobby', text: 'x' })).toEqual({
      ok: false,
      error: { code: 'muted', status: 403, message: 'You are muted', details: { expiresAt: null } },
    });
    expect(known.logger.error).not.toHaveBeenCalled();
  });

  it('closes the session exactly once, whatever closes the socket', async () => {
    const h = await started(harness());
    await h.connection.dispatch('auth', { guest: 'ann' });
    h.connection.closedBySocket();
    h.connection.closedBySocket();
    expect(h.session.closeCalls).toBe(1);
    expect(await h.connection.dispatch('ping', undefined)).toMatchObject({ error: { code: 'unavailable' } });
  });

  it('does not open a session for an auth that finishes after the socket closed', async () => {
    let release: (p: Principal) => void = () => {};
    const h = await started(
      harness({ authenticate: () => new Promise<Principal>((resolve) => (release = resolve)) }),
    );
    const auth = h.connection.dispatch('auth', { guest: 'ann' });
    h.connection.closedBySocket();
    release(PRINCIPAL);
    expect(await auth).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(h.engine.openSession).not.toHaveBeenCalled();
  });

  it('[proto.auth-timeout] terminates with auth_timeout unless authenticated in time', async () => {
    vi.useFakeTimers();
    const idle = await started(harness());
    const authed = await started(harness());
    await authed.connection.dispatch('auth', { guest: 'ann' });
    vi.advanceTimersByTime(1001);
    expect(idle.sink.terminated).toEqual([disconnect('auth_timeout').reason]);
    expect(authed.sink.terminated).toEqual([]);
  });

  it('[proto.handshake] a handshake principal opens the session before any request runs', async () => {
    const h = harness();
    const join = h.connection.dispatch('join', { room: 'lobby' });
    await h.connection.start(Promise.resolve({ appId: 1, principal: PRINCIPAL }));
    expect(await join).toMatchObject({ ok: true });
    expect(await h.connection.dispatch('auth', { guest: 'x' })).toMatchObject({
      error: { code: 'already_authenticated' },
    });
  });

  it('[proto.app] a failed admission answers queued requests with `unavailable`', async () => {
    const h = harness();
    const ping = h.connection.dispatch('ping', undefined);
    const error = await h.connection.start(Promise.reject(new ParleyError('origin_not_allowed')));
    expect(error?.code).toBe('origin_not_allowed');
    expect(await ping).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });
});
