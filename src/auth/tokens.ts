import { createHash, randomBytes } from 'node:crypto';

/** Prefix of Parley's opaque access tokens (it makes leaked tokens easy to recognise in logs and scanners). */
export const ACCESS_TOKEN_PREFIX = 'pt_';

/** A new opaque access token: `pt_` and 32 random bytes in base64url (43 characters). */
export function generateAccessToken(): string {
  return ACCESS_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** A token's id: 12 random bytes in hex. It names the token (to list and revoke it) and proves nothing. */
export function generateTokenId(): string {
  return randomBytes(12).toString('hex');
}

/** Lowercase hex sha256 of the UTF-8 bytes of `s`: the key access tokens are stored under. */
export function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isSha256Hex(s: unknown): s is string {
  return typeof s === 'string' && SHA256_HEX.test(s);
}

/** Three base64url segments, the first of which is a JSON header (`eyJ` is base64url for `{"`). */
const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/** True for the compact JWS shape. Parley's own tokens (`pt_…`, base64url) never contain a dot. */
export function looksLikeJwt(s: unknown): s is string {
  return typeof s === 'string' && JWT_SHAPE.test(s);
}
