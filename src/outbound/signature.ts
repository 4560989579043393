import { createHmac, timingSafeEqual } from 'node:crypto';

/** The scheme's version prefix: a receiver that knows only v1 ignores signatures of other versions. */
export const SIGNATURE_VERSION = 'v1';

/**
 * `v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`. The timestamp is inside the signed text so that a captured
 * request cannot be replayed later with a fresh timestamp (receivers refuse old ones: docs/webhooks.md).
 */
export function signBody(secret: string, timestampSeconds: number, rawBody: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`).digest('hex');
  return `${SIGNATURE_VERSION}=${mac}`;
}

/** The headers of a signed request (docs/webhooks.md lists them). */
export function signedHeaders(
  secret: string,
  eventId: string,
  rawBody: string,
  nowMs: number,
): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'Parley-Webhooks/1',
    'parley-event-id': eventId,
    'parley-timestamp': String(timestamp),
    'parley-signature': signBody(secret, timestamp, rawBody),
  };
}

/**
 * Checks a signature header the way a receiver should: the timestamp within `toleranceSeconds` of now, and any
 * `v1=` entry equal to ours in constant time. Parley's own tests and docs use it as the reference receiver.
 */
export function verifySignature(
  secret: string,
  header: string,
  timestampHeader: string,
  rawBody: string,
  nowMs: number,
  toleranceSeconds = 300,
): boolean {
  const timestamp = Number(timestampHeader);
  if (!Number.isInteger(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signBody(secret, timestamp, rawBody));
  return header
    .split(',')
    .map((part) => Buffer.from(part.trim()))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
}
