/**
 * The coarse cap on the HTTP sign-in routes (http/authRateLimit.ts, server setting
 * authRequestsPerAddressPerMinute): per client address, all sign-in routes together, 429 with Retry-After past
 * it; other routes and the loopback are not counted; with Redis the count is shared by the nodes.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { registerChatroomHttp } from '../../src/gateways/chatroom/http.js';
import { requireTestRedis, TEST_REDIS_URL } from '../helpers/redis.js';
import { createHttpHarness, errorOf, type HarnessOptions, type HttpHarness } from './harness.js';

const available = await requireTestRedis();

const harnesses: HttpHarness[] = [];
const clients: Redis[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
  for (const client of clients.splice(0)) client.disconnect();
});

async function harness(opts: HarnessOptions = {}): Promise<HttpHarness> {
  const h = await createHttpHarness({
    ...opts,
    config: { authRequestsPerAddressPerMinute: 3, ...opts.config },
  });
  harnesses.push(h);
  registerChatroomHttp(h.app, { engine: h.engine, config: h.config, logger: pino({ level: 'silent' }) });
  return h;
}

/** An address of its own per test run, so that counts left in a shared Redis by an earlier run do not matter. */
const freshAddress = () => `2001:db8::${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;

let attempt = 0;
/** A wrong password for an account of its own each time (the engine's per-account lock stays out of it). */
const login = (h: HttpHarness, remoteAddress: string, url = '/api/v1/apps/1/login') =>
  h.app.inject({
    method: 'POST',
    url,
    payload: { username: `nobody${++attempt}`, password: 'wrong-password' },
    remoteAddress,
  });

describe('the per-address cap on the HTTP sign-in routes', () => {
  it('[limits.http.auth] past the cap: 429 rate_limited with Retry-After, for every sign-in route together', async () => {
    const h = await harness();
    const from = freshAddress();
    expect((await login(h, from)).statusCode).toBe(401);
    const register = await h.app.inject({
      method: 'POST',
      url: '/api/v1/apps/1/register',
      payload: { username: 'capped1', password: 'right-password-1' },
      remoteAddress: from,
    });
    expect(register.statusCode).toBe(201);
    expect((await login(h, from, '/chatroom/login-user?app=1')).statusCode).toBe(401);
    const refused = await login(h, from);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(errorOf(refused)).toMatchObject({
      code: 'rate_limited',
      details: { retryAfterMs: expect.any(Number) },
    });
    // The chatroom dialect answers in its own shape, with the same status and header.
    const chatroom = await login(h, from, '/chatroom/login-user?app=1');
    expect(chatroom.statusCode).toBe(429);
    expect(chatroom.headers['retry-after']).toBeDefined();
    expect(chatroom.json()).toEqual({ message: expect.any(String) });
    // Another address, the loopback, and routes that do not sign in are not held to it.
    expect((await login(h, freshAddress())).statusCode).toBe(401);
    for (let i = 0; i < 5; i++) expect((await login(h, '127.0.0.1')).statusCode).toBe(401);
    const health = await h.app.inject({ method: 'GET', url: '/healthz', remoteAddress: from });
    expect(health.statusCode).toBe(200);
  });

  it.skipIf(!available)(
    '[limits.http.auth.cluster] with Redis the nodes share one count per address',
    async () => {
      const nodes: HttpHarness[] = [];
      for (let i = 0; i < 3; i++) {
        const client = new Redis(TEST_REDIS_URL);
        clients.push(client);
        nodes.push(await harness({ redis: client }));
      }
      const from = freshAddress();
      const statuses: number[] = [];
      for (const node of [...nodes, ...nodes]) statuses.push((await login(node, from)).statusCode);
      expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    },
  );
});
