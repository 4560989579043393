import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import { appSchema, issuedTokenSchema, userSchema } from '../../src/http/schemas.js';
import { createHttpHarness, bodyOf, errorOf, type HttpHarness } from './harness.js';

let h: HttpHarness;
beforeEach(async () => {
  h = await createHttpHarness();
});
afterEach(async () => {
  await h.close();
});

async function createApp(body: unknown) {
  return h.call('POST', '/api/v1/apps', { admin: true, body });
}

describe('apps', () => {
  it('creates, lists, gets and updates apps', async () => {
    const created = await createApp({
      name: 'Shop',
      settings: { maxMessageLength: 500, allowGuests: false },
    });
    expect(created.statusCode).toBe(201);
    const app = bodyOf(created, appSchema);
    expect(app.name).toBe('Shop');
    expect(app.settings).toEqual({ ...DEFAULT_APP_SETTINGS, maxMessageLength: 500, allowGuests: false });

    const list = bodyOf(
      await h.call('GET', '/api/v1/apps', { admin: true }),
      z.strictObject({ apps: z.array(appSchema) }),
    );
    expect(list.apps.map((a) => a.name)).toEqual(['default', 'Shop']);

    const got = await h.call('GET', `/api/v1/apps/${app.id}`, { admin: true });
    expect(bodyOf(got, appSchema)).toEqual(app);

    const patched = await h.call('PATCH', `/api/v1/apps/${app.id}`, {
      admin: true,
      body: {
        name: 'Shop 2',
        settings: {
          flood: { burst: 3, perSecond: 0.5 },
          allowedOrigins: ['https://shop.example', 'http://localhost:8080'],
        },
      },
    });
    expect(patched.statusCode).toBe(200);
    const updated = bodyOf(patched, appSchema);
    expect(updated.name).toBe('Shop 2');
    expect(updated.settings).toEqual({
      ...app.settings,
      flood: { burst: 3, perSecond: 0.5 },
      allowedOrigins: ['https://shop.example', 'http://localhost:8080'],
    });
    // Clearing back to null is allowed.
    const cleared = await h.call('PATCH', `/api/v1/apps/${app.id}`, {
      admin: true,
      body: { settings: { allowedOrigins: null } },
    });
    expect(bodyOf(cleared, appSchema).settings.allowedOrigins).toBeNull();
    expect((await h.engine.getApp(app.id)).settings.allowedOrigins).toBeNull();
  });

  it('accepts every kind of JWT setting', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    for (const jwt of [
      { alg: 'HS256', secret: 'a-long-enough-secret' },
      { alg: 'ES256', publicKey: pem },
      null,
    ]) {
      const res = await h.call('PATCH', '/api/v1/apps/1', { admin: true, body: { settings: { jwt } } });
      expect(res.statusCode, JSON.stringify(jwt)).toBe(200);
      expect(bodyOf(res, appSchema).settings.jwt).toEqual(jwt);
    }
  });

  it.each([
    [{ name: '' }, 'name'],
    [{ name: 'x'.repeat(101) }, 'name'],
    [{ settings: {} }, 'name'],
    [{ name: 'x', extra: 1 }, 'extra'],
    [{ name: 'x', settings: { maxMessageLength: 0 } }, 'settings.maxMessageLength'],
    [{ name: 'x', settings: { maxMessageLength: 100_001 } }, 'settings.maxMessageLength'],
    [{ name: 'x', settings: { maxMessageLength: 1.5 } }, 'settings.maxMessageLength'],
    [{ name: 'x', settings: { flood: { burst: 0, perSecond: 1 } } }, 'settings.flood.burst'],
    [{ name: 'x', settings: { flood: { burst: 5, perSecond: -1 } } }, 'settings.flood.perSecond'],
    [{ name: 'x', settings: { flood: { burst: 5 } } }, 'settings.flood.perSecond'],
    [{ name: 'x', settings: { allowGuests: 'yes' } }, 'settings.allowGuests'],
    [{ name: 'x', settings: { guestsCanWrite: 1 } }, 'settings.guestsCanWrite'],
    [{ name: 'x', settings: { allowAccounts: null } }, 'settings.allowAccounts'],
    [{ name: 'x', settings: { joinHistory: 1001 } }, 'settings.joinHistory'],
    [{ name: 'x', settings: { joinHistory: -1 } }, 'settings.joinHistory'],
    [{ name: 'x', settings: { replayLimit: 100_001 } }, 'settings.replayLimit'],
    [{ name: 'x', settings: { allowedOrigins: 'https://a.example' } }, 'settings.allowedOrigins'],
    [{ name: 'x', settings: { allowedOrigins: ['https://a.example/'] } }, 'settings.allowedOrigins.0'],
    [{ name: 'x', settings: { allowedOrigins: ['a.example'] } }, 'settings.allowedOrigins.0'],
    [{ name: 'x', settings: { jwt: { alg: 'none' } } }, 'settings.jwt.alg'],
    [{ name: 'x', settings: { jwt: { alg: 'HS256', secret: 'short' } } }, 'settings.jwt.secret'],
    [{ name: 'x', settings: { jwt: { alg: 'RS256', publicKey: 'not a key' } } }, 'settings.jwt.publicKey'],
    [
      { name: 'x', settings: { jwt: { alg: 'RS256', secret: 'a-long-enough-secret' } } },
      'settings.jwt.publicKey',
    ],
    [{ name: 'x', settings: { unknownSetting: true } }, 'settings.unknownSetting'],
  ])('refuses %j with bad_request on %s', async (body, field) => {
    const res = await createApp(body);
    expect(res.statusCode).toBe(400);
    const error = errorOf(res);
    expect(error.code).toBe('bad_request');
    expect(error.details?.['field']).toBe(field);
    expect(error.message).toContain(field);
  });

  it('validates a PATCH the same way and changes nothing when it fails', async () => {
    const before = await h.engine.getApp(1);
    const res = await h.call('PATCH', '/api/v1/apps/1', {
      admin: true,
      body: { settings: { allowGuests: false, replayLimit: -5 } },
    });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).details?.['field']).toBe('settings.replayLimit');
    expect(await h.engine.getApp(1)).toEqual(before);
    expect((await h.call('PATCH', '/api/v1/apps/99', { admin: true, body: { name: 'x' } })).statusCode).toBe(
      404,
    );
  });
});

describe('users', () => {
  it('creates users, refuses a taken name with 409, lists with paging and changes roles', async () => {
    const res = await h.call('POST', '/api/v1/apps/1/users', {
      admin: true,
      body: { username: 'alice', password: 'secret-pw', role: 'mod' },
    });
    expect(res.statusCode).toBe(201);
    const alice = bodyOf(res, userSchema);
    expect(alice).toMatchObject({ username: 'alice', role: 'mod', kind: 'account', appId: 1 });
    expect(res.body).not.toContain('secret-pw');

    const external = bodyOf(
      await h.call('POST', '/api/v1/apps/1/users', { admin: true, body: { username: 'bob' } }),
      userSchema,
    );
    expect(external).toMatchObject({ username: 'bob', role: 'member', kind: 'external' });

    const taken = await h.call('POST', '/api/v1/apps/1/users', { admin: true, body: { username: 'ALICE' } });
    expect(taken.statusCode).toBe(409);
    expect(errorOf(taken).code).toBe('conflict');

    const badName = await h.call('POST', '/api/v1/apps/1/users', {
      admin: true,
      body: { username: 'no spaces' },
    });
    expect(badName.statusCode).toBe(400);
    expect(errorOf(badName).details?.['field']).toBe('username');
    const badRole = await h.call('POST', '/api/v1/apps/1/users', {
      admin: true,
      body: { username: 'carol', role: 'king' },
    });
    expect(errorOf(badRole).details?.['field']).toBe('role');
    const shortPw = await h.call('POST', '/api/v1/apps/1/users', {
      admin: true,
      body: { username: 'carol', password: '123' },
    });
    expect(errorOf(shortPw).details?.['field']).toBe('password');

    await h.call('POST', '/api/v1/apps/1/users', { admin: true, body: { username: 'carol' } });
    const page = z.strictObject({ users: z.array(userSchema), nextCursor: z.number().nullable() });
    const first = bodyOf(await h.call('GET', '/api/v1/apps/1/users?limit=2', { admin: true }), page);
    expect(first.users.map((u) => u.username)).toEqual(['alice', 'bob']);
    expect(first.nextCursor).toBe(first.users[1]?.id);
    const second = bodyOf(
      await h.call('GET', `/api/v1/apps/1/users?limit=2&after=${first.nextCursor}`, { admin: true }),
      page,
    );
    expect(second.users.map((u) => u.username)).toEqual(['carol']);
    expect(second.nextCursor).toBeNull();
    expect((await h.call('GET', '/api/v1/apps/1/users?limit=0', { admin: true })).statusCode).toBe(400);
    expect((await h.call('GET', '/api/v1/apps/1/users?limit=abc', { admin: true })).statusCode).toBe(400);

    const promoted = await h.call('PATCH', '/api/v1/apps/1/users/bob', {
      admin: true,
      body: { role: 'admin' },
    });
    expect(promoted.statusCode).toBe(200);
    expect(bodyOf(promoted, userSchema).role).toBe('admin');
    expect(
      (await h.call('PATCH', '/api/v1/apps/1/users/nobody', { admin: true, body: { role: 'mod' } }))
        .statusCode,
    ).toBe(404);
    expect(
      (await h.call('PATCH', '/api/v1/apps/1/users/bob', { admin: true, body: { role: 'emperor' } }))
        .statusCode,
    ).toBe(400);
    expect(
      (await h.call('POST', '/api/v1/apps/77/users', { admin: true, body: { username: 'x' } })).statusCode,
    ).toBe(404);
  });
});

describe('tokens', () => {
  it('issues a token that authenticates, creating the user when needed', async () => {
    const res = await h.call('POST', '/api/v1/apps/1/tokens', {
      admin: true,
      body: { username: 'site-user', ttlSeconds: 60 },
    });
    expect(res.statusCode).toBe(201);
    const issued = bodyOf(res, issuedTokenSchema);
    expect(issued.token).toMatch(/^pt_/);
    expect(issued.user).toMatchObject({ username: 'site-user', kind: 'external', role: 'member' });
    expect(issued.expiresAt).toBeGreaterThan(Date.now());
    const principal = await h.engine.authenticate(1, { kind: 'token', token: issued.token });
    expect(principal.user.id).toBe(issued.user.id);

    const forever = bodyOf(
      await h.call('POST', '/api/v1/apps/1/tokens', {
        admin: true,
        body: { username: 'site-user', ttlSeconds: 0 },
      }),
      issuedTokenSchema,
    );
    expect(forever.expiresAt).toBeNull();

    const bad = await h.call('POST', '/api/v1/apps/1/tokens', {
      admin: true,
      body: { username: 'x', ttlSeconds: -1 },
    });
    expect(errorOf(bad).details?.['field']).toBe('ttlSeconds');
  });
});

describe('register and login (public)', () => {
  it('registers and logs in without the admin key', async () => {
    const reg = await h.call('POST', '/api/v1/apps/1/register', {
      body: { username: 'dana', password: 'dana-pw-1' },
    });
    expect(reg.statusCode).toBe(201);
    const registered = bodyOf(reg, issuedTokenSchema);
    expect(registered.user).toMatchObject({ username: 'dana', kind: 'account', role: 'member' });

    const again = await h.call('POST', '/api/v1/apps/1/register', {
      body: { username: 'Dana', password: 'another-pw' },
    });
    expect(again.statusCode).toBe(409);

    const login = await h.call('POST', '/api/v1/apps/1/login', {
      body: { username: 'dana', password: 'dana-pw-1' },
    });
    expect(login.statusCode).toBe(200);
    const loggedIn = bodyOf(login, issuedTokenSchema);
    expect(loggedIn.user.id).toBe(registered.user.id);
    expect(loggedIn.token).not.toBe(registered.token);

    const wrong = await h.call('POST', '/api/v1/apps/1/login', {
      body: { username: 'dana', password: 'wrong-pw' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(errorOf(wrong).code).toBe('unauthorized');
    const nobody = await h.call('POST', '/api/v1/apps/1/login', {
      body: { username: 'nobody', password: 'wrong-pw' },
    });
    expect(nobody.statusCode).toBe(401);
    expect(errorOf(nobody).message).toBe(errorOf(wrong).message);

    const weak = await h.call('POST', '/api/v1/apps/1/register', {
      body: { username: 'erin', password: '123' },
    });
    expect(weak.statusCode).toBe(400);
    expect(errorOf(weak).details?.['field']).toBe('password');
    expect(
      (
        await h.call('POST', '/api/v1/apps/42/register', {
          body: { username: 'erin', password: 'erin-pw-1' },
        })
      ).statusCode,
    ).toBe(404);
  });

  it('refuses both with accounts_disabled (403) when the app does not allow accounts', async () => {
    await h.call('POST', '/api/v1/apps/1/register', { body: { username: 'dana', password: 'dana-pw-1' } });
    await h.call('PATCH', '/api/v1/apps/1', { admin: true, body: { settings: { allowAccounts: false } } });
    const reg = await h.call('POST', '/api/v1/apps/1/register', {
      body: { username: 'erin', password: 'erin-pw-1' },
    });
    expect(reg.statusCode).toBe(403);
    expect(errorOf(reg).code).toBe('accounts_disabled');
    const login = await h.call('POST', '/api/v1/apps/1/login', {
      body: { username: 'dana', password: 'dana-pw-1' },
    });
    expect(login.statusCode).toBe(403);
    expect(errorOf(login).code).toBe('accounts_disabled');
  });

  it('refuses a banned account at login', async () => {
    await h.call('POST', '/api/v1/apps/1/register', { body: { username: 'dana', password: 'dana-pw-1' } });
    await h.call('POST', '/api/v1/apps/1/bans', { admin: true, body: { username: 'dana' } });
    const login = await h.call('POST', '/api/v1/apps/1/login', {
      body: { username: 'dana', password: 'dana-pw-1' },
    });
    expect(login.statusCode).toBe(403);
    expect(errorOf(login).code).toBe('banned');
  });
});
