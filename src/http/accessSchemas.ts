/** Who may reach an app, as its settings say: allowed origins and the site's JWT key. */
import { createPublicKey } from 'node:crypto';
import { z } from 'zod';

/** `*`, or an origin as browsers send it: scheme, host and optional port, without a path or a trailing slash. */
export function isOriginPattern(value: string): boolean {
  if (value === '*') return true;
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+$/.test(value)) return false;
  if (!value.startsWith('http://') && !value.startsWith('https://')) return true;
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

function isPublicKeyPem(value: string): boolean {
  try {
    createPublicKey(value);
    return true;
  } catch {
    return false;
  }
}

export const originEntry = z
  .string()
  .max(255)
  .refine(
    isOriginPattern,
    'must be "*" or an origin such as https://example.com (no path, no trailing slash)',
  );

export const jwtSettingsSchema = z.discriminatedUnion('alg', [
  z.strictObject({
    alg: z.literal('HS256'),
    secret: z.string().min(16).max(1024).describe('The shared HMAC secret, at least 16 characters'),
  }),
  z.strictObject({
    alg: z.enum(['RS256', 'ES256']),
    publicKey: z
      .string()
      .max(16384)
      .refine(isPublicKeyPem, 'must be a PEM public key (-----BEGIN PUBLIC KEY-----)')
      .describe('The PEM (SPKI) public key the site signs JWTs for'),
  }),
]);
