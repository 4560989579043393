import { errors, importSPKI, jwtVerify, type CryptoKey, type JWTPayload } from 'jose';
import { ParleyError } from '../core/errors.js';
import type { ClaimedProfile } from '../core/identity.js';
import { checkUsername } from '../core/names.js';
import { profileFromClaims } from '../core/profiles.js';
import { isRole, type Role } from '../core/roles.js';
import type { JwtSettings } from '../core/types.js';

/** What a site's JWT says about its user. */
export interface SiteClaims {
  username: string;
  /** Never `guest`: a site vouches for its users, guests come in through the guest credential. */
  role: Exclude<Role, 'guest'>;
  /** From `exp`, in ms since epoch; null when the token has no `exp`. */
  expiresAt: number | null;
  /** From `iat`, in ms since epoch (whole seconds); absent when the token has no `iat`. */
  issuedAt?: number;
  /**
   * `name` and `picture`, when the token has either: those that are valid as a patch, the others named in
   * `rejected` (and otherwise ignored: a site's mistake must not lock its users out).
   */
  profile?: ClaimedProfile;
}

/** Seconds of clock skew tolerated on `exp` and `nbf`. */
export const JWT_CLOCK_TOLERANCE_SECONDS = 5;
/** Longer input is refused before any parsing. */
const MAX_JWT_LENGTH = 8192;

const KEY_CACHE_LIMIT = 32;
const keyCache = new Map<string, CryptoKey>();

async function publicKey(alg: 'RS256' | 'ES256', pem: string): Promise<CryptoKey> {
  const cacheKey = `${alg}\n${pem}`;
  const cached = keyCache.get(cacheKey);
  if (cached) return cached;
  const key = await importSPKI(pem, alg);
  if (keyCache.size >= KEY_CACHE_LIMIT) {
    const oldest = keyCache.keys().next();
    if (!oldest.done) keyCache.delete(oldest.value);
  }
  keyCache.set(cacheKey, key);
  return key;
}

function unauthorized(): ParleyError {
  return new ParleyError('unauthorized', 'The token is invalid');
}

async function verificationKey(settings: JwtSettings): Promise<CryptoKey | Uint8Array> {
  if (settings.alg === 'HS256') {
    if (typeof settings.secret !== 'string' || settings.secret.length === 0) throw unauthorized();
    return new TextEncoder().encode(settings.secret);
  }
  if (settings.alg === 'RS256' || settings.alg === 'ES256') {
    if (typeof settings.publicKey !== 'string') throw unauthorized();
    return publicKey(settings.alg, settings.publicKey);
  }
  throw unauthorized();
}

function claimsFrom(payload: JWTPayload): SiteClaims {
  const rawName = payload['username'] !== undefined ? payload['username'] : payload.sub;
  let username: string;
  try {
    username = checkUsername(rawName);
  } catch {
    throw new ParleyError('unauthorized', 'The token has no valid username');
  }
  const rawRole = payload['role'];
  let role: Exclude<Role, 'guest'> = 'member';
  if (rawRole !== undefined) {
    if (!isRole(rawRole) || rawRole === 'guest')
      throw new ParleyError('unauthorized', 'The token has an invalid role');
    role = rawRole;
  }
  const expiresAt = typeof payload.exp === 'number' ? payload.exp * 1000 : null;
  const claims: SiteClaims = { username, role, expiresAt };
  if (typeof payload.iat === 'number') claims.issuedAt = payload.iat * 1000;
  if (payload['name'] !== undefined || payload['picture'] !== undefined) {
    claims.profile = profileFromClaims({ name: payload['name'], picture: payload['picture'] });
  }
  return claims;
}

/**
 * Verifies a JWT signed by a site's backend with the app's key. The algorithm is pinned to the app's (no `none`,
 * no HS/RS confusion); `exp` and `nbf` are checked against `now` (ms) with a small tolerance.
 * Every failure is `unauthorized`, except a valid token past its `exp`, which is `credentials_expired`.
 */
export async function verifySiteJwt(jwt: string, settings: JwtSettings, now: number): Promise<SiteClaims> {
  if (typeof jwt !== 'string' || jwt.length === 0 || jwt.length > MAX_JWT_LENGTH) throw unauthorized();
  if (settings === null || typeof settings !== 'object') throw unauthorized();
  let payload: JWTPayload;
  try {
    const key = await verificationKey(settings);
    ({ payload } = await jwtVerify(jwt, key, {
      algorithms: [settings.alg],
      clockTolerance: JWT_CLOCK_TOLERANCE_SECONDS,
      currentDate: new Date(now),
    }));
  } catch (err) {
    // jose checks the signature before the claims, so only a genuine token can be reported as expired.
    if (err instanceof errors.JWTExpired) throw new ParleyError('credentials_expired');
    throw unauthorized();
  }
  return claimsFrom(payload);
}
