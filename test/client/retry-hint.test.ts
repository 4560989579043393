/**
 * The typed client honours a refusal's retry hint: a reconnect refused with `connection_limit` (or
 * `rate_limited`) and `details.retryAfterMs` waits at least that, plus jitter, instead of its own backoff.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hintedDelay, ParleyClient, ParleyClientError, retryHintMs } from '../../src/client/index.js';
import { USER_CONNECTIONS_RETRY_MS } from '../../src/engine/sessions.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { register } from '../native/helpers.js';

let srv: TestServer | null = null;
const clients: ParleyClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await srv?.close();
  srv = null;
});

function clientFor(server: TestServer, token: string, backoff: { initial: number; max: number }) {
  const client = new ParleyClient({
    url: server.url,
    transport: 'ws',
    app: 1,
    credentials: { token },
    reconnectDelayMs: backoff.initial,
    maxReconnectDelayMs: backoff.max,
  });
  clients.push(client);
  return client;
}

describe('retry hints', () => {
  it('[client.retry-hint.unit] only hinted refusals from the server count; the wait is the hint plus up to half', () => {
    const hinted = new ParleyClientError('connection_limit', 'full', {
      status: 503,
      details: { retryAfterMs: 2000 },
    });
    expect(retryHintMs(hinted)).toBe(2000);
    expect(retryHintMs(new ParleyClientError('rate_limited', 'slow', { status: 429 }))).toBeNull();
    expect(
      retryHintMs(new ParleyClientError('forbidden', 'no', { status: 403, details: { retryAfterMs: 5 } })),
    ).toBeNull();
    expect(
      retryHintMs(new ParleyClientError('timeout', 'late', { details: { retryAfterMs: 5 } })),
    ).toBeNull();
    expect(hintedDelay(2000, () => 0)).toBe(2000);
    expect(hintedDelay(2000, () => 1)).toBe(3000);
  });

  it('[client.retry-hint] a reconnect refused for the per-user cap waits out the hint, not its backoff', async () => {
    const server = await startTestServer({ engine: { connectionsPerUser: 1 } });
    srv = server;
    const token = await register(server, 'capped');
    const refusals: number[] = [];
    const engine = server.server.engine;
    const openSession = engine.openSession.bind(engine);
    vi.spyOn(engine, 'openSession').mockImplementation((...args) => {
      try {
        return openSession(...args);
      } catch (err) {
        if ((err as { code?: string }).code === 'connection_limit') refusals.push(Date.now());
        throw err;
      }
    });
    // Its own backoff would bring it back within 2 s; the hint is USER_CONNECTIONS_RETRY_MS.
    const roaming = clientFor(server, token, { initial: 1000, max: 2000 });
    await roaming.connect();
    roaming.dropConnection();
    // Another connection of the same user takes the one slot while the first is away.
    const holder = await waitFor(async () => {
      const client = clientFor(server, token, { initial: 1000, max: 2000 });
      try {
        await client.connect();
        return client;
      } catch {
        return null;
      }
    });
    const refusedAt = await waitFor(() => refusals[0], { timeoutMs: 10_000, label: 'the reconnect refused' });
    const reconnected = new Promise<number>((resolve) =>
      roaming.on('reconnected', () => resolve(Date.now())),
    );
    holder.close();
    const waited = (await reconnected) - refusedAt;
    expect(waited).toBeGreaterThanOrEqual(USER_CONNECTIONS_RETRY_MS);
    expect(waited).toBeLessThan(USER_CONNECTIONS_RETRY_MS * 1.5 + 2000);
  }, 30_000);
});
