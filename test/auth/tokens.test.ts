import fc from 'fast-check';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateAccessToken, isSha256Hex, looksLikeJwt, sha256Hex } from '../../src/auth/tokens.js';

describe('tokens', () => {
  it('generates pt_ tokens with 32 random bytes', () => {
    const token = generateAccessToken();
    expect(token).toMatch(/^pt_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(3), 'base64url').length).toBe(32);
    const many = new Set(Array.from({ length: 1000 }, () => generateAccessToken()));
    expect(many.size).toBe(1000);
  });

  it('hashes with sha256 hex', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(isSha256Hex(sha256Hex('anything'))).toBe(true);
    expect(isSha256Hex('ABC')).toBe(false);
    expect(isSha256Hex(42)).toBe(false);
  });

  it('recognises JWTs and never mistakes its own tokens for one', async () => {
    const jwt = await new SignJWT({ username: 'alice' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('secret'));
    expect(looksLikeJwt(jwt)).toBe(true);
    expect(looksLikeJwt('eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.')).toBe(true);
    expect(looksLikeJwt('pt_abc')).toBe(false);
    expect(looksLikeJwt('a.b.c')).toBe(false);
    expect(looksLikeJwt(undefined)).toBe(false);
    for (let i = 0; i < 500; i++) expect(looksLikeJwt(generateAccessToken())).toBe(false);
    // Anything without two dots is not a JWT, whatever else it contains.
    fc.assert(fc.property(fc.string(), (s) => s.split('.').length === 3 || !looksLikeJwt(s)));
  });
});
