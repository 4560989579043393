/** auth/guestVerifier.ts against a real HTTP server on the loopback: only a bounded `{ "success": true }` passes. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpGuestVerifier, VERIFY_RESPONSE_MAX_BYTES } from '../../src/auth/guestVerifier.js';
import type { GuestVerification } from '../../src/core/guestVerification.js';

/** Answers by path: the body a verification service might send. */
const ANSWERS: Record<string, string> = {
  '/ok': JSON.stringify({ success: true }),
  '/truthy': JSON.stringify({ success: 'true' }),
  '/html': '<html>not json</html>',
  '/huge': JSON.stringify({ success: true, padding: 'x'.repeat(VERIFY_RESPONSE_MAX_BYTES) }),
};

describe('HttpGuestVerifier', () => {
  let server: Server;
  let base = '';
  const verifier = new HttpGuestVerifier();

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(ANSWERS[req.url ?? ''] ?? ''));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const setting = (path: string): GuestVerification => ({
    provider: 'custom',
    verifyUrl: `${base}${path}`,
    secret: 's',
    siteKey: 'k',
    timeoutMs: 2000,
  });

  it('passes only a JSON success that is exactly true, read within the bound', async () => {
    expect(await verifier.verify(setting('/ok'), 't', undefined)).toEqual({ ok: true });
    for (const path of ['/truthy', '/html', '/huge']) {
      expect((await verifier.verify(setting(path), 't', '203.0.113.1')).ok, path).toBe(false);
    }
  });

  it('refuses when the service cannot be reached', async () => {
    const closed = { ...setting('/ok'), verifyUrl: 'http://127.0.0.1:1/verify' };
    expect(await verifier.verify(closed, 't', undefined)).toMatchObject({ ok: false });
  });
});
