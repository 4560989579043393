import { SignJWT, exportSPKI, generateKeyPair, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { verifySiteJwt } from '../../src/auth/jwt.js';
import { ParleyError } from '../../src/core/errors.js';
import type { JwtSettings } from '../../src/core/types.js';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const SEC = Math.floor(NOW / 1000);
const SECRET = 'a-long-enough-shared-secret-for-hs256';
const HS: JwtSettings = { alg: 'HS256', secret: SECRET };

function hs256(payload: JWTPayload, secret = SECRET): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}

async function rejection(promise: Promise<unknown>): Promise<ParleyError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ParleyError);
    return err as ParleyError;
  }
  throw new Error('expected a rejection');
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('verifySiteJwt', () => {
  it('reads iat as issuedAt in ms (for the revocation check)', async () => {
    const jwt = await hs256({ username: 'alice', iat: SEC - 30, exp: SEC + 60 });
    expect((await verifySiteJwt(jwt, HS, NOW)).issuedAt).toBe((SEC - 30) * 1000);
  });

  it('accepts an HS256 token and reads username, role and exp', async () => {
    const jwt = await hs256({ username: 'alice', role: 'mod', exp: SEC + 60 });
    expect(await verifySiteJwt(jwt, HS, NOW)).toEqual({
      username: 'alice',
      role: 'mod',
      expiresAt: (SEC + 60) * 1000,
    });
  });

  it('falls back to sub and to the member role', async () => {
    const jwt = await hs256({ sub: 'bob', exp: SEC + 60 });
    expect(await verifySiteJwt(jwt, HS, NOW)).toEqual({
      username: 'bob',
      role: 'member',
      expiresAt: (SEC + 60) * 1000,
    });
    const noExp = await hs256({ sub: 'bob' });
    expect((await verifySiteJwt(noExp, HS, NOW)).expiresAt).toBeNull();
  });

  it('reads name and picture as the profile, the invalid ones named (never a refusal)', async () => {
    const jwt = await hs256({ sub: 'bob', name: ' Bob ', picture: 'https://e.com/b.png' });
    expect((await verifySiteJwt(jwt, HS, NOW)).profile).toEqual({
      patch: { displayName: 'Bob', avatarUrl: 'https://e.com/b.png' },
      rejected: [],
    });
    const bad = await hs256({ sub: 'bob', name: '', picture: 'javascript:alert(1)' });
    expect((await verifySiteJwt(bad, HS, NOW)).profile).toEqual({
      patch: {},
      rejected: ['displayName', 'avatarUrl'],
    });
  });

  it('rejects a token signed with another secret', async () => {
    const jwt = await hs256({ username: 'alice', exp: SEC + 60 }, 'some-other-secret-entirely');
    expect((await rejection(verifySiteJwt(jwt, HS, NOW))).code).toBe('unauthorized');
  });

  it('rejects a token without a username, or with an invalid one', async () => {
    for (const payload of [{ exp: SEC + 60 }, { username: 42 }, { username: 'has space' }, { sub: '' }]) {
      const err = await rejection(verifySiteJwt(await hs256(payload), HS, NOW));
      expect(err.code).toBe('unauthorized');
    }
  });

  it('rejects a role that is unknown or guest', async () => {
    for (const role of ['guest', 'root', 3]) {
      const err = await rejection(verifySiteJwt(await hs256({ username: 'alice', role }), HS, NOW));
      expect(err.code).toBe('unauthorized');
    }
  });

  it('reports an expired token as credentials_expired, within a 5 s tolerance', async () => {
    const jwt = await hs256({ username: 'alice', exp: SEC - 60 });
    expect((await rejection(verifySiteJwt(jwt, HS, NOW))).code).toBe('credentials_expired');
    const justExpired = await hs256({ username: 'alice', exp: SEC - 3 });
    expect((await verifySiteJwt(justExpired, HS, NOW)).username).toBe('alice');
  });

  it('does not report a forged expired token as expired', async () => {
    const jwt = await hs256({ username: 'alice', exp: SEC - 60 }, 'wrong-secret-wrong-secret');
    expect((await rejection(verifySiteJwt(jwt, HS, NOW))).code).toBe('unauthorized');
  });

  it('rejects a token whose nbf is in the future', async () => {
    const jwt = await hs256({ username: 'alice', nbf: SEC + 60, exp: SEC + 120 });
    expect((await rejection(verifySiteJwt(jwt, HS, NOW))).code).toBe('unauthorized');
    const soon = await hs256({ username: 'alice', nbf: SEC + 3, exp: SEC + 120 });
    expect((await verifySiteJwt(soon, HS, NOW)).username).toBe('alice');
  });

  it('rejects alg none', async () => {
    const jwt = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ username: 'alice', exp: SEC + 60 })}.`;
    expect((await rejection(verifySiteJwt(jwt, HS, NOW))).code).toBe('unauthorized');
    const { publicKey } = await generateKeyPair('RS256');
    const rs: JwtSettings = { alg: 'RS256', publicKey: await exportSPKI(publicKey) };
    expect((await rejection(verifySiteJwt(jwt, rs, NOW))).code).toBe('unauthorized');
  });

  it('rejects malformed input without throwing anything but ParleyError', async () => {
    for (const jwt of ['', 'x', 'a.b.c', 'eyJ.eyJ.', 'e'.repeat(10_000), 42 as unknown as string]) {
      expect((await rejection(verifySiteJwt(jwt, HS, NOW))).code).toBe('unauthorized');
    }
    const empty: JwtSettings = { alg: 'HS256', secret: '' };
    const jwt = await hs256({ username: 'alice' }, 'x');
    expect((await rejection(verifySiteJwt(jwt, empty, NOW))).code).toBe('unauthorized');
  });

  describe('RS256', () => {
    it('accepts a token signed with the private key and rejects another key', async () => {
      const { publicKey, privateKey } = await generateKeyPair('RS256');
      const other = await generateKeyPair('RS256');
      const settings: JwtSettings = { alg: 'RS256', publicKey: await exportSPKI(publicKey) };
      const jwt = await new SignJWT({ username: 'carol', role: 'admin', exp: SEC + 60 })
        .setProtectedHeader({ alg: 'RS256' })
        .sign(privateKey);
      expect(await verifySiteJwt(jwt, settings, NOW)).toEqual({
        username: 'carol',
        role: 'admin',
        expiresAt: (SEC + 60) * 1000,
      });
      const forged = await new SignJWT({ username: 'carol', exp: SEC + 60 })
        .setProtectedHeader({ alg: 'RS256' })
        .sign(other.privateKey);
      expect((await rejection(verifySiteJwt(forged, settings, NOW))).code).toBe('unauthorized');
    });

    it('rejects an HS256 token made with the public key as the secret (alg confusion)', async () => {
      const { publicKey } = await generateKeyPair('RS256');
      const pem = await exportSPKI(publicKey);
      const settings: JwtSettings = { alg: 'RS256', publicKey: pem };
      const jwt = await hs256({ username: 'mallory', role: 'owner', exp: SEC + 60 }, pem);
      expect((await rejection(verifySiteJwt(jwt, settings, NOW))).code).toBe('unauthorized');
    });

    it('rejects a garbage public key as unauthorized', async () => {
      const settings: JwtSettings = { alg: 'RS256', publicKey: 'not a pem' };
      const { privateKey } = await generateKeyPair('RS256');
      const jwt = await new SignJWT({ username: 'carol' })
        .setProtectedHeader({ alg: 'RS256' })
        .sign(privateKey);
      expect((await rejection(verifySiteJwt(jwt, settings, NOW))).code).toBe('unauthorized');
    });
  });

  describe('ES256', () => {
    it('accepts a token signed with the private key and rejects an RS256 one', async () => {
      const { publicKey, privateKey } = await generateKeyPair('ES256');
      const settings: JwtSettings = { alg: 'ES256', publicKey: await exportSPKI(publicKey) };
      const jwt = await new SignJWT({ sub: 'dave', exp: SEC + 60 })
        .setProtectedHeader({ alg: 'ES256' })
        .sign(privateKey);
      expect(await verifySiteJwt(jwt, settings, NOW)).toEqual({
        username: 'dave',
        role: 'member',
        expiresAt: (SEC + 60) * 1000,
      });
      const rsa = await generateKeyPair('RS256');
      const other = await new SignJWT({ sub: 'dave' })
        .setProtectedHeader({ alg: 'RS256' })
        .sign(rsa.privateKey);
      expect((await rejection(verifySiteJwt(other, settings, NOW))).code).toBe('unauthorized');
      const expired = await new SignJWT({ sub: 'dave', exp: SEC - 100 })
        .setProtectedHeader({ alg: 'ES256' })
        .sign(privateKey);
      expect((await rejection(verifySiteJwt(expired, settings, NOW))).code).toBe('credentials_expired');
    });
  });

  it('never puts the secret or the token in the error', async () => {
    const jwt = await hs256({ username: 'alice', exp: SEC + 60 }, 'wrong-secret-wrong-secret');
    const err = await rejection(verifySiteJwt(jwt, HS, NOW));
    expect(JSON.stringify(err.toBody())).not.toContain(SECRET);
    expect(JSON.stringify(err.toBody())).not.toContain(jwt);
  });
});
