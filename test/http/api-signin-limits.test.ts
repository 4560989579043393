/**
 * The sign-in limits over HTTP (core/signInLimits.ts): wrong passwords for one account end in 429 with
 * Retry-After after the app's number, and cost no more than that number of password checks; an address that
 * guesses at many accounts is locked as well; registrations per address are limited.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as Passwords from '../../src/auth/passwords.js';
import { createHttpHarness, type HttpHarness } from './harness.js';

const checks = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/auth/passwords.js', async (importOriginal) => {
  const original = await importOriginal<typeof Passwords>();
  return {
    ...original,
    verifyPassword: (password: string, stored: string) => {
      checks.count += 1;
      return original.verifyPassword(password, stored);
    },
  };
});

let h: HttpHarness;

beforeAll(async () => {
  h = await createHttpHarness();
  const patch = await h.call('PATCH', '/api/v1/apps/1', {
    admin: true,
    body: {
      settings: {
        signIn: {
          failuresPerAccount: 5,
          failuresPerAddress: 8,
          lockSeconds: 60,
          registrationsPerAddressPerHour: 3,
        },
      },
    },
  });
  expect(patch.statusCode).toBe(200);
});
afterAll(() => h?.close());

function login(username: string, password: string, remoteAddress = '203.0.113.1') {
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/apps/1/login',
    payload: { username, password },
    remoteAddress,
  });
}

describe('sign-in limits over HTTP', () => {
  it('[limits.login.account] 200 wrong passwords for one account: 429 after 5, and only 5 password checks', async () => {
    const reg = await h.call('POST', '/api/v1/apps/1/register', {
      body: { username: 'target', password: 'right-pw-1' },
    });
    expect(reg.statusCode).toBe(201);
    checks.count = 0;
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++)
      statuses.push((await login('target', `wrong-${i}`, '203.0.113.7')).statusCode);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    expect(checks.count).toBe(5);
    const locked = await login('target', 'right-pw-1', '198.51.100.9');
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(50);
    expect(locked.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect(
      (locked.json() as { error: { details: { retryAfterMs: number } } }).error.details.retryAfterMs,
    ).toBeGreaterThan(50_000);
  });

  it('[limits.login.address] one address guessing at many accounts is locked too; another address is not', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await login(`someone-${i}`, 'guess', '203.0.113.50')).statusCode);
    expect(statuses.slice(0, 8).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(8).every((s) => s === 429)).toBe(true);
    expect((await login('someone-0', 'guess', '203.0.113.51')).statusCode).toBe(401);
  });

  it('[limits.login.success] a right password clears the account failures', async () => {
    await h.call('POST', '/api/v1/apps/1/register', {
      body: { username: 'forgetful', password: 'right-pw-2' },
    });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++)
        expect((await login('forgetful', 'nope', `192.0.2.${round}`)).statusCode).toBe(401);
      expect((await login('forgetful', 'right-pw-2', `192.0.2.${round}`)).statusCode).toBe(200);
    }
  });

  it('[limits.register.address] registrations per address per hour', async () => {
    const register = (n: number, remoteAddress: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/apps/1/register',
        payload: { username: `new-${remoteAddress.replace(/\./g, '-')}-${n}`, password: 'a-good-pw-1' },
        remoteAddress,
      });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await register(i, '203.0.113.90')).statusCode);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    expect((await register(9, '203.0.113.91')).statusCode).toBe(201);
  });
});
