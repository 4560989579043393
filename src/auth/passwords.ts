import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt. The stored form carries its own parameters, so they can be raised later
 * without invalidating existing hashes: `scrypt$N$r$p$salt_b64$hash_b64`.
 */

/** Parameters for new hashes: ~32 MiB and ~80 ms per hash on a typical server core. */
const COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

/** Bounds for parameters read back from storage, so a corrupt or hostile row cannot exhaust memory or CPU. */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_MEM = 1024 * 1024 * 1024;
const MIN_KEY_BYTES = 16;
const MAX_KEY_BYTES = 128;

interface Parsed {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function derive(
  password: string,
  salt: Buffer,
  keyLength: number,
  cost: { N: number; r: number; p: number },
) {
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r * cost.p };
  hashesComputed += 1;
  return new Promise<Buffer>((resolve, reject) => {
    // NFC so that the same password typed on different systems hashes the same.
    scrypt(password.normalize('NFC'), salt, keyLength, options, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Password hashes computed by this process (for parley_password_hashes_total). */
let hashesComputed = 0;

export function passwordHashesComputed(): number {
  return hashesComputed;
}

function parseInteger(text: string | undefined, min: number, max: number): number | null {
  if (text === undefined || !/^[0-9]{1,10}$/.test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}

function parseBase64(text: string | undefined): Buffer | null {
  if (text === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  return Buffer.from(text, 'base64');
}

function parse(stored: string): Parsed | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const N = parseInteger(parts[1], 2, MAX_N);
  const r = parseInteger(parts[2], 1, MAX_R);
  const p = parseInteger(parts[3], 1, MAX_P);
  const salt = parseBase64(parts[4]);
  const hash = parseBase64(parts[5]);
  if (N === null || r === null || p === null || salt === null || hash === null) return null;
  if ((N & (N - 1)) !== 0 || 128 * N * r * p > MAX_MEM) return null;
  if (hash.length < MIN_KEY_BYTES || hash.length > MAX_KEY_BYTES || salt.length === 0) return null;
  return { N, r, p, salt, hash };
}

export async function hashPassword(password: string): Promise<string> {
  if (typeof password !== 'string') throw new TypeError('password must be a string');
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, KEY_BYTES, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** False for a wrong password and for a stored value that is not a hash this module understands. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (typeof password !== 'string' || typeof stored !== 'string') return false;
  const parsed = parse(stored);
  if (parsed === null) return false;
  const actual = await derive(password, parsed.salt, parsed.hash.length, parsed);
  return timingSafeEqual(actual, parsed.hash);
}

/** True when a stored hash was made with weaker parameters than new ones get (for rehash on login). */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  return (
    parsed === null ||
    parsed.N < COST.N ||
    parsed.r < COST.r ||
    parsed.p < COST.p ||
    parsed.hash.length < KEY_BYTES
  );
}
