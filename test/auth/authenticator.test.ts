import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, type JWTPayload } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Authenticator } from '../../src/auth/authenticator.js';
import { sha256Hex } from '../../src/auth/tokens.js';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import { ParleyError } from '../../src/core/errors.js';
import type { App, AppSettings } from '../../src/core/types.js';
import type { Credentials } from '../../src/core/identity.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Directory, Store } from '../../src/engine/ports/store.js';

const START = Date.UTC(2025, 0, 1, 12, 0, 0);
const SECRET = 'site-shared-secret-for-tests-0123456789';
const TOKEN_TTL = 3600;
const GUEST_TTL = 600;

let store: Store;
let directory: Directory;
let now: number;
let auth: Authenticator;
let app: App;

const clock = { now: () => now };

async function makeApp(name: string, patch: Partial<AppSettings> = {}): Promise<App> {
  return directory.createApp(
    name,
    { ...DEFAULT_APP_SETTINGS, jwt: { alg: 'HS256', secret: SECRET }, ...patch },
    now,
  );
}

function jwtFor(payload: JWTPayload, secret = SECRET): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
}

const inAnHour = () => Math.floor(now / 1000) + 3600;

async function rejection(promise: Promise<unknown>): Promise<ParleyError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ParleyError);
    return err as ParleyError;
  }
  throw new Error('expected a rejection');
}

beforeEach(async () => {
  now = START;
  store = openSqliteStore({ path: ':memory:' });
  directory = store.directory;
  auth = new Authenticator({ directory, clock, tokenTtlSeconds: TOKEN_TTL, guestTokenTtlSeconds: GUEST_TTL });
  app = await makeApp('site');
});

afterEach(async () => {
  await store.close();
});

describe('Authenticator construction', () => {
  it('refuses nonsensical TTLs', () => {
    expect(
      () => new Authenticator({ directory, clock, tokenTtlSeconds: -1, guestTokenTtlSeconds: 1 }),
    ).toThrow();
    expect(
      () => new Authenticator({ directory, clock, tokenTtlSeconds: 1, guestTokenTtlSeconds: NaN }),
    ).toThrow();
  });
});

describe('register', () => {
  it('creates a member account and issues a token that authenticates', async () => {
    const issued = await auth.register(app, 'alice', 'hunter22');
    expect(issued.user).toMatchObject({ username: 'alice', kind: 'account', role: 'member', appId: app.id });
    expect(issued.expiresAt).toBe(START + TOKEN_TTL * 1000);
    expect(issued.token).toMatch(/^pt_/);
    const principal = await auth.authenticate(app, { kind: 'token', token: issued.token });
    expect(principal).toMatchObject({ appId: app.id, via: 'token', expiresAt: issued.expiresAt });
    expect(principal.user.id).toBe(issued.user.id);
  });

  it('stores the password hashed', async () => {
    const issued = await auth.register(app, 'alice', 'hunter22');
    const stored = await directory.getPasswordHash(app.id, issued.user.id);
    expect(stored).toMatch(/^scrypt\$/);
    expect(stored).not.toContain('hunter22');
  });

  it('fails with accounts_disabled when the app does not allow accounts', async () => {
    const closed = await makeApp('closed', { allowAccounts: false });
    expect((await rejection(auth.register(closed, 'alice', 'hunter22'))).code).toBe('accounts_disabled');
    expect(await directory.findUserByName(closed.id, 'alice')).toBeNull();
  });

  it('fails with conflict for a taken name, without regard to case', async () => {
    await auth.register(app, 'alice', 'hunter22');
    expect((await rejection(auth.register(app, 'ALICE', 'hunter33'))).code).toBe('conflict');
  });

  it('validates username and password', async () => {
    expect((await rejection(auth.register(app, 'no spaces', 'hunter22'))).code).toBe('bad_request');
    expect((await rejection(auth.register(app, 'alice', 'short'))).code).toBe('bad_request');
    expect((await rejection(auth.register(app, 42 as unknown as string, 'hunter22'))).code).toBe(
      'bad_request',
    );
    expect((await rejection(auth.register(app, 'alice', null as unknown as string))).code).toBe(
      'bad_request',
    );
  });
});

describe('login', () => {
  it('issues a token for the right password, also with the name in another case', async () => {
    const registered = await auth.register(app, 'alice', 'hunter22');
    const issued = await auth.login(app, 'Alice', 'hunter22');
    expect(issued.user.id).toBe(registered.user.id);
    expect(issued.token).not.toBe(registered.token);
    expect((await auth.authenticate(app, { kind: 'token', token: issued.token })).user.id).toBe(
      registered.user.id,
    );
  });

  it('fails alike for a wrong password and an unknown user, without echoing the password', async () => {
    await auth.register(app, 'alice', 'hunter22');
    const wrongPassword = await rejection(auth.login(app, 'alice', 'hunter23'));
    const unknownUser = await rejection(auth.login(app, 'nobody', 'hunter22'));
    expect(wrongPassword.code).toBe('unauthorized');
    expect(unknownUser.code).toBe('unauthorized');
    expect(wrongPassword.message).toBe(unknownUser.message);
    expect(JSON.stringify(wrongPassword.toBody())).not.toContain('hunter23');
  });

  it('refuses guests and external users, who have no password', async () => {
    await auth.authenticate(app, { kind: 'guest', nickname: 'guesty' });
    await auth.issueToken(app, 'sitey');
    expect((await rejection(auth.login(app, 'guesty', 'whatever1'))).code).toBe('unauthorized');
    expect((await rejection(auth.login(app, 'sitey', 'whatever1'))).code).toBe('unauthorized');
  });

  it('does not log in to another app', async () => {
    await auth.register(app, 'alice', 'hunter22');
    const other = await makeApp('other');
    expect((await rejection(auth.login(other, 'alice', 'hunter22'))).code).toBe('unauthorized');
  });
});

describe('issueToken', () => {
  it('creates an external member when the user does not exist', async () => {
    const issued = await auth.issueToken(app, 'sitey');
    expect(issued.user).toMatchObject({ username: 'sitey', kind: 'external', role: 'member' });
    expect(issued.expiresAt).toBe(START + TOKEN_TTL * 1000);
    const again = await auth.issueToken(app, 'SITEY', 60);
    expect(again.user.id).toBe(issued.user.id);
    expect(again.expiresAt).toBe(START + 60_000);
  });

  it('stores only the sha256 of the token', async () => {
    const issued = await auth.issueToken(app, 'sitey');
    expect(await directory.getAccessToken(issued.token)).toBeNull();
    const record = await directory.getAccessToken(sha256Hex(issued.token));
    expect(record).toMatchObject({
      hash: sha256Hex(issued.token),
      appId: app.id,
      userId: issued.user.id,
      expiresAt: issued.expiresAt,
      createdAt: START,
    });
    expect(JSON.stringify(record)).not.toContain(issued.token);
    expect(JSON.stringify(record)).not.toContain(issued.token.slice(3));
  });

  it('never writes the raw token or the password to the database file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-auth-'));
    try {
      const fileStore = openSqliteStore({ path: join(dir, 'parley.db') });
      const fileAuth = new Authenticator({
        directory: fileStore.directory,
        clock,
        tokenTtlSeconds: 60,
        guestTokenTtlSeconds: 60,
      });
      const fileApp = await fileStore.directory.createApp('site', DEFAULT_APP_SETTINGS, now);
      const registered = await fileAuth.register(fileApp, 'alice', 'hunter22-secret');
      const issued = await fileAuth.issueToken(fileApp, 'sitey');
      const guest = await fileAuth.authenticate(fileApp, { kind: 'guest', nickname: 'guesty' });
      await fileStore.close();
      const bytes = readdirSync(dir).map((name) => readFileSync(join(dir, name)).toString('latin1'));
      const everything = bytes.join('\n');
      expect(everything).toContain(sha256Hex(issued.token));
      for (const secret of [
        registered.token,
        issued.token,
        guest.resumeToken ?? 'missing',
        'hunter22-secret',
      ]) {
        expect(everything).not.toContain(secret);
        expect(everything).not.toContain(secret.slice(3));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ttl 0 means no expiry', async () => {
    const issued = await auth.issueToken(app, 'sitey', 0);
    expect(issued.expiresAt).toBeNull();
    now += 100 * 365 * 24 * 3600 * 1000;
    const principal = await auth.authenticate(app, { kind: 'token', token: issued.token });
    expect(principal.expiresAt).toBeNull();
  });

  it('validates username and ttl', async () => {
    expect((await rejection(auth.issueToken(app, '', 60))).code).toBe('bad_request');
    for (const ttl of [-1, 1.5, Number.NaN, Infinity, '60' as unknown as number]) {
      expect((await rejection(auth.issueToken(app, 'sitey', ttl))).code).toBe('bad_request');
    }
  });

  it('issues for an existing account but not for a guest name', async () => {
    const account = await auth.register(app, 'alice', 'hunter22');
    expect((await auth.issueToken(app, 'alice')).user.id).toBe(account.user.id);
    await auth.authenticate(app, { kind: 'guest', nickname: 'guesty' });
    expect((await rejection(auth.issueToken(app, 'guesty'))).code).toBe('conflict');
  });
});

describe('authenticate: token and token_hash', () => {
  it('fails with credentials_expired once the token has expired', async () => {
    const issued = await auth.issueToken(app, 'sitey', 60);
    now += 59_000;
    await auth.authenticate(app, { kind: 'token', token: issued.token });
    now += 1_000;
    expect((await rejection(auth.authenticate(app, { kind: 'token', token: issued.token }))).code).toBe(
      'credentials_expired',
    );
  });

  it("rejects another app's token as unauthorized, even when expired", async () => {
    const other = await makeApp('other');
    const issued = await auth.issueToken(other, 'sitey', 60);
    expect((await rejection(auth.authenticate(app, { kind: 'token', token: issued.token }))).code).toBe(
      'unauthorized',
    );
    now += 120_000;
    expect((await rejection(auth.authenticate(app, { kind: 'token', token: issued.token }))).code).toBe(
      'unauthorized',
    );
    expect((await rejection(auth.authenticate(other, { kind: 'token', token: issued.token }))).code).toBe(
      'credentials_expired',
    );
  });

  it('rejects unknown and malformed tokens', async () => {
    for (const token of ['pt_unknown', '', 'x'.repeat(5000), 42, null]) {
      const err = await rejection(auth.authenticate(app, { kind: 'token', token } as Credentials));
      expect(err.code).toBe('unauthorized');
    }
  });

  it('accepts the sha256 hex of a token as token_hash', async () => {
    const issued = await auth.issueToken(app, 'sitey');
    const principal = await auth.authenticate(app, { kind: 'token_hash', hash: sha256Hex(issued.token) });
    expect(principal).toMatchObject({ via: 'token_hash', expiresAt: issued.expiresAt });
    expect(principal.user.id).toBe(issued.user.id);
    const upper = await auth.authenticate(app, {
      kind: 'token_hash',
      hash: sha256Hex(issued.token).toUpperCase(),
    });
    expect(upper.user.id).toBe(issued.user.id);
    for (const hash of [issued.token, sha256Hex('other'), 'zz', 7]) {
      const err = await rejection(auth.authenticate(app, { kind: 'token_hash', hash } as Credentials));
      expect(err.code).toBe('unauthorized');
    }
  });

  it('treats a token that looks like a JWT as a JWT', async () => {
    const jwt = await jwtFor({ username: 'sitey', exp: inAnHour() });
    const principal = await auth.authenticate(app, { kind: 'token', token: jwt });
    expect(principal).toMatchObject({ via: 'jwt', expiresAt: inAnHour() * 1000 });
    expect(principal.user).toMatchObject({ username: 'sitey', kind: 'external' });
  });
});

describe('authenticate: jwt', () => {
  it('creates the external user, and its role follows the claim', async () => {
    const first = await auth.authenticate(app, {
      kind: 'jwt',
      jwt: await jwtFor({ sub: 'sitey', role: 'mod' }),
    });
    expect(first).toMatchObject({ via: 'jwt', expiresAt: null });
    expect(first.user).toMatchObject({ username: 'sitey', kind: 'external', role: 'mod' });
    const second = await auth.authenticate(app, { kind: 'jwt', jwt: await jwtFor({ sub: 'Sitey' }) });
    expect(second.user).toMatchObject({ id: first.user.id, role: 'member' });
    expect((await directory.getUser(app.id, first.user.id))?.role).toBe('member');
  });

  it('is unauthorized when the app has no JWT settings', async () => {
    const plain = await makeApp('plain', { jwt: null });
    const jwt = await jwtFor({ username: 'sitey' });
    expect((await rejection(auth.authenticate(plain, { kind: 'jwt', jwt }))).code).toBe('unauthorized');
    expect(await directory.findUserByName(plain.id, 'sitey')).toBeNull();
  });

  it('cannot take over an account or a guest', async () => {
    const account = await auth.register(app, 'alice', 'hunter22');
    const jwt = await jwtFor({ username: 'alice', role: 'owner' });
    expect((await rejection(auth.authenticate(app, { kind: 'jwt', jwt }))).code).toBe('unauthorized');
    expect((await directory.getUser(app.id, account.user.id))?.role).toBe('member');
    await auth.authenticate(app, { kind: 'guest', nickname: 'guesty' });
    const guestJwt = await jwtFor({ username: 'guesty', role: 'admin' });
    expect((await rejection(auth.authenticate(app, { kind: 'jwt', jwt: guestJwt }))).code).toBe(
      'unauthorized',
    );
    expect((await directory.findUserByName(app.id, 'guesty'))?.role).toBe('guest');
  });

  it('reports wrong secrets as unauthorized and expired tokens as credentials_expired', async () => {
    const forged = await jwtFor({ username: 'sitey', exp: inAnHour() }, 'not-the-site-secret-at-all');
    expect((await rejection(auth.authenticate(app, { kind: 'jwt', jwt: forged }))).code).toBe('unauthorized');
    const expired = await jwtFor({ username: 'sitey', exp: Math.floor(now / 1000) - 60 });
    expect((await rejection(auth.authenticate(app, { kind: 'jwt', jwt: expired }))).code).toBe(
      'credentials_expired',
    );
    expect(await directory.findUserByName(app.id, 'sitey')).toBeNull();
  });
});

describe('authenticate: password', () => {
  it('authenticates like login, with no expiry', async () => {
    const registered = await auth.register(app, 'alice', 'hunter22');
    const principal = await auth.authenticate(app, {
      kind: 'password',
      username: 'alice',
      password: 'hunter22',
    });
    expect(principal).toMatchObject({ appId: app.id, via: 'password', expiresAt: null });
    expect(principal.user.id).toBe(registered.user.id);
    expect(principal.resumeToken).toBeUndefined();
    const wrong = { kind: 'password', username: 'alice', password: 'hunter23' } as const;
    expect((await rejection(auth.authenticate(app, wrong))).code).toBe('unauthorized');
  });
});

describe('authenticate: guest', () => {
  it('fails with guests_disabled when the app does not allow guests', async () => {
    const closed = await makeApp('closed', { allowGuests: false });
    expect((await rejection(auth.authenticate(closed, { kind: 'guest', nickname: 'guesty' }))).code).toBe(
      'guests_disabled',
    );
  });

  it('creates a guest with a resume token that works as a token credential', async () => {
    const principal = await auth.authenticate(app, { kind: 'guest', nickname: 'guesty' });
    expect(principal).toMatchObject({ via: 'guest', expiresAt: null });
    expect(principal.user).toMatchObject({ username: 'guesty', kind: 'guest', role: 'guest' });
    expect(principal.resumeToken).toMatch(/^pt_/);
    const record = await directory.getAccessToken(sha256Hex(principal.resumeToken ?? ''));
    expect(record?.expiresAt).toBe(START + GUEST_TTL * 1000);
    const resumed = await auth.authenticate(app, { kind: 'token', token: principal.resumeToken ?? '' });
    expect(resumed).toMatchObject({ via: 'token', expiresAt: null });
    expect(resumed.user.id).toBe(principal.user.id);
    // Coming back renews the resume token, so that a regular visitor never falls back on the bare nickname.
    expect(resumed.resumeToken).toMatch(/^pt_/);
    expect(resumed.resumeToken).not.toBe(principal.resumeToken);
    now += GUEST_TTL * 1000;
    expect(
      (await rejection(auth.authenticate(app, { kind: 'token', token: principal.resumeToken ?? '' }))).code,
    ).toBe('credentials_expired');
  });

  it('reuses the guest user for the same nickname', async () => {
    const a = await auth.authenticate(app, { kind: 'guest', nickname: 'guesty' });
    const b = await auth.authenticate(app, { kind: 'guest', nickname: 'GUESTY' });
    expect(b.user.id).toBe(a.user.id);
    expect(b.resumeToken).not.toBe(a.resumeToken);
  });

  it('fails with conflict when the nickname belongs to an account or an external user', async () => {
    await auth.register(app, 'alice', 'hunter22');
    await auth.issueToken(app, 'sitey');
    for (const nickname of ['alice', 'Alice', 'sitey']) {
      const err = await rejection(auth.authenticate(app, { kind: 'guest', nickname }));
      expect(err.code).toBe('conflict');
      expect(err.message).toBe('nickname is taken');
    }
  });

  it('does not hand a raised role to whoever types the nickname', async () => {
    const first = await auth.authenticate(app, { kind: 'guest', nickname: 'guesty' });
    await directory.setUserRole(app.id, first.user.id, 'mod');
    expect((await rejection(auth.authenticate(app, { kind: 'guest', nickname: 'guesty' }))).code).toBe(
      'conflict',
    );
    const resumed = await auth.authenticate(app, { kind: 'token', token: first.resumeToken ?? '' });
    expect(resumed.user.role).toBe('mod');
  });

  it('validates the nickname', async () => {
    for (const nickname of ['', 'has space', 'x'.repeat(33), 5]) {
      const err = await rejection(auth.authenticate(app, { kind: 'guest', nickname } as Credentials));
      expect(err.code).toBe('bad_request');
    }
  });
});

describe('authenticate: malformed credentials', () => {
  it('answers bad_request or unauthorized, never a TypeError', async () => {
    const inputs: unknown[] = [
      null,
      undefined,
      'token',
      [],
      {},
      { kind: 'magic' },
      { kind: 'password', username: 'alice' },
      { kind: 'password', password: 'hunter22' },
      { kind: 'jwt' },
      { kind: 'jwt', jwt: { alg: 'none' } },
      { kind: 'token_hash' },
    ];
    for (const input of inputs) {
      const err = await rejection(auth.authenticate(app, input as Credentials));
      expect(['bad_request', 'unauthorized']).toContain(err.code);
    }
  });
});
