/**
 * The sign-in limits on the sockets (core/signInLimits.ts): passwords sent with the native `auth` op and with the
 * eventchat dialect's `Auth` are limited per account and per client address, the address read from
 * X-Forwarded-For because the loopback proxy is trusted; a token in eventchat's password field uses up nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventchatPool, tokenFor } from '../dialects/eventchat/helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api, ClientPool, NO_FLOOD, patchApp } from './helpers.js';

describe('sign-in limits on sockets', () => {
  let srv: TestServer;
  const pool = new ClientPool();
  const eventchat = new EventchatPool();

  beforeAll(async () => {
    srv = await startTestServer({ trustedProxies: ['loopback'] });
    await patchApp(srv, {
      ...NO_FLOOD,
      signIn: {
        failuresPerAccount: 3,
        failuresPerAddress: 6,
        lockSeconds: 60,
        registrationsPerAddressPerHour: 10,
      },
    });
    for (const username of ['wsuser', 'ecuser', 'ectoken']) {
      await api(srv, 'POST', '/api/v1/apps/1/users', { username, password: 'right-password' });
    }
  });
  afterEach(() => {
    pool.closeAll();
    eventchat.closeAll();
  });
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  async function attempt(username: string, password: string, from: string) {
    const raw = pool.rawWs(srv, '', { 'x-forwarded-for': from });
    await raw.opened;
    return raw.request('auth', { username, password });
  }

  it('[limits.login.native] wrong passwords over `auth` end in rate_limited, for the account from any address', async () => {
    const codes: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const reply = (await attempt('wsuser', `wrong-${i}`, '203.0.113.20')) as { error?: { code: string } };
      codes.push(reply.error?.code);
    }
    expect(codes).toEqual(['unauthorized', 'unauthorized', 'unauthorized', 'rate_limited', 'rate_limited']);
    const locked = (await attempt('wsuser', 'right-password', '203.0.113.21')) as {
      error: { code: string; details: { retryAfterMs: number } };
    };
    expect(locked.error.code).toBe('rate_limited');
    expect(locked.error.details.retryAfterMs).toBeGreaterThan(50_000);
  });

  it('[limits.login.native.address] one address guessing at many accounts is locked; another is not', async () => {
    const codes: unknown[] = [];
    for (let i = 0; i < 8; i++) {
      const reply = (await attempt(`ghost-${i}`, 'guess', '198.51.100.30')) as { error?: { code: string } };
      codes.push(reply.error?.code);
    }
    expect(codes.slice(0, 6).every((c) => c === 'unauthorized')).toBe(true);
    expect(codes.slice(6)).toEqual(['rate_limited', 'rate_limited']);
    const other = (await attempt('ghost-0', 'guess', '198.51.100.31')) as { error?: { code: string } };
    expect(other.error?.code).toBe('unauthorized');
  });

  it('[limits.login.eventchat] Auth with wrong passwords is refused with 429 past the limit; a token uses none up', async () => {
    const token = await tokenFor(srv, 'ectoken');
    for (let i = 0; i < 5; i++) {
      const client = await eventchat.open(srv, {}, { 'x-forwarded-for': '192.0.2.40' }).connected();
      await client.auth('ectoken', token, 'lobby');
      client.close();
    }
    const refusals: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const client = await eventchat.open(srv, {}, { 'x-forwarded-for': '192.0.2.41' }).connected();
      refusals.push(await client.auth('ecuser', `wrong-${i}`, 'lobby').catch((err: Error) => err.message));
      client.close();
    }
    expect(refusals.slice(0, 3).every((r) => String(r).includes('401'))).toBe(true);
    expect(refusals.slice(3).every((r) => String(r).includes('429'))).toBe(true);
  });
});
