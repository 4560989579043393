/**
 * Connection limits under attack (docs/deploy.md, "Connection limits"): 3,000 WebSocket attempts in a few seconds
 * from one client address are mostly refused with 503 `connection_limit` and Retry-After, before any handshake
 * work; a second address still connects at once, and the server stays healthy throughout. The loopback proxy is
 * trusted, so the client address is the one X-Forwarded-For names.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ATTEMPTS = 3000;
const IN_FLIGHT = 200;

type Outcome =
  { kind: 'open' } | { kind: 'refused'; status: number; retryAfter: string | undefined; body: string };

function attempt(srv: TestServer, address: string, keep: WebSocket[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${srv.url.replace(/^http/, 'ws')}/ws?app=1`, {
      headers: { 'x-forwarded-for': address },
    });
    ws.once('open', () => {
      keep.push(ws);
      resolve({ kind: 'open' });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () =>
        resolve({
          kind: 'refused',
          status: res.statusCode ?? 0,
          retryAfter: res.headers['retry-after'],
          body,
        }),
      );
    });
    ws.once('error', reject);
  });
}

describe('connection limits', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ trustedProxies: ['loopback'] });
  });
  afterAll(async () => srv?.close());

  it('[limits.connections] a flood from one address is refused with 503 while another address connects at once', async () => {
    const kept: WebSocket[] = [];
    const outcomes: Outcome[] = [];
    const healthy: number[] = [];
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < ATTEMPTS) {
        next += 1;
        outcomes.push(await attempt(srv, '203.0.113.66', kept));
        if (next % 500 === 0) healthy.push((await fetch(`${srv.url}/healthz`)).status);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const elapsedMs = Date.now() - started;

    const refused = outcomes.filter((o): o is Extract<Outcome, { kind: 'refused' }> => o.kind === 'refused');
    expect(outcomes).toHaveLength(ATTEMPTS);
    // The burst (5 s of the per-address rate) and the rate over the run get in; everything else is refused.
    expect(kept.length).toBeLessThanOrEqual(50 + Math.ceil(elapsedMs / 100) + 1);
    expect(refused.length).toBeGreaterThan(ATTEMPTS * 0.8);
    expect(refused.every((r) => r.status === 503 && Number(r.retryAfter) >= 1)).toBe(true);
    expect(JSON.parse(refused[0]?.body ?? '{}')).toMatchObject({
      error: { code: 'connection_limit', status: 503, details: { retryAfterMs: expect.any(Number) } },
    });

    const other: WebSocket[] = [];
    // At once: its first attempt is admitted, with no wait asked.
    expect(await attempt(srv, '198.51.100.77', other)).toEqual({ kind: 'open' });
    expect(healthy.every((s) => s === 200)).toBe(true);
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    for (const ws of [...kept, ...other]) ws.terminate();
  });
});
