/**
 * New guests per address (the app's `signIn.guestsPerAddressPerMinute`), on every path that makes a guest: the
 * native `auth` op, the native handshake and the numeric dialect's login. The address is read from
 * X-Forwarded-For because the loopback proxy is trusted; the loopback itself is never limited.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NumericPool, isType } from '../dialects/numeric/helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ClientPool, NO_FLOOD, patchApp } from './helpers.js';

describe('new guests per address', () => {
  let srv: TestServer;
  const pool = new ClientPool();
  const numeric = new NumericPool();

  beforeAll(async () => {
    srv = await startTestServer({ trustedProxies: ['loopback'] });
    await patchApp(srv, {
      ...NO_FLOOD,
      signIn: {
        failuresPerAccount: 5,
        failuresPerAddress: 20,
        lockSeconds: 60,
        registrationsPerAddressPerHour: 10,
        guestsPerAddressPerMinute: 3,
      },
    });
  });
  afterEach(() => {
    pool.closeAll();
    numeric.closeAll();
  });
  afterAll(async () => {
    await srv?.close();
  });

  async function guestOverAuth(nickname: string, from: string) {
    const raw = pool.rawWs(srv, '', { 'x-forwarded-for': from });
    await raw.opened;
    return (await raw.request('auth', { guest: nickname })) as {
      ok: boolean;
      error?: { code: string; details?: { retryAfterMs?: number } };
    };
  }

  it('[limits.guests.native] past the limit a new guest gets rate_limited with the wait; another address does not', async () => {
    const outcomes: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const reply = await guestOverAuth(`nguest${i}`, '203.0.113.50');
      outcomes.push(reply.ok ? 'ok' : reply.error?.code);
    }
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'rate_limited', 'rate_limited']);
    const refused = await guestOverAuth('nguest9', '203.0.113.50');
    expect(refused.error?.details?.retryAfterMs).toBeGreaterThan(50_000);
    expect(refused.error?.details?.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect((await guestOverAuth('nguest9', '203.0.113.51')).ok).toBe(true);
    // The loopback is the server's own machine: never limited per address.
    for (let i = 0; i < 5; i++) expect((await guestOverAuth(`local${i}`, '127.0.0.1')).ok).toBe(true);
  });

  it('[limits.guests.handshake] a guest in the handshake is counted too, refused with connect_error', async () => {
    const from = '203.0.113.60';
    for (let i = 0; i < 3; i++) expect((await guestOverAuth(`hguest${i}`, from)).ok).toBe(true);
    const socket = pool.rawIo(srv, { guest: 'hguest3' }, { 'x-forwarded-for': from });
    const refusal = await new Promise<{ data?: { code?: string; details?: { retryAfterMs?: number } } }>(
      (resolve) => socket.once('connect_error', (err) => resolve(err as never)),
    );
    expect(refusal.data?.code).toBe('rate_limited');
    expect(refusal.data?.details?.retryAfterMs).toBeGreaterThan(0);
  });

  it('[limits.guests.numeric] the numeric login makes a guest: past the limit, an error frame with the wait', async () => {
    const from = '198.51.100.70';
    for (let i = 0; i < 3; i++) {
      const client = numeric.open(srv, `num${i}`, '', { 'x-forwarded-for': from });
      await client.next(isType(2, { user: `num${i}` }));
    }
    const refused = numeric.open(srv, 'num3', '', { 'x-forwarded-for': from });
    const frame = await refused.next(isType(-1));
    expect(String(frame.message)).toMatch(/try again in \d+ s/i);
    await refused.closed;
  });
});
