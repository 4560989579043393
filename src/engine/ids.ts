import { randomBytes } from 'node:crypto';

/**
 * An id for a connection or session: 128 random bits as 32 hex characters. Not randomUUID(): it assembles its
 * result from 16 small strings joined with `+`, a rope of some thirty string objects (about 900 bytes) that
 * lives as long as the connection does; this one is a single flat string.
 */
export function newConnectionId(): string {
  return randomBytes(16).toString('hex');
}
