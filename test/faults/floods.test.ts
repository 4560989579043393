/**
 * Connection floods and churn, against a server in a child process so its descriptors and RSS are its own.
 * 2,000 WebSockets at once are each served or refused cleanly, and the descriptors return to their level
 * once they go. Churn (connect, sign in, join, send, leave, over and over) runs for PARLEY_FAULT_DURATION_MS:
 * a few seconds in an ordinary test run, minutes under `npm run chaos`; descriptors and memory must not grow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { startChildServer, type ChildServer } from './childServer.js';
import { CrowdClient } from './nativeWs.js';
import { faultDurationMs, mb, recordOutcome } from './report.js';

const FLOOD = 2000;
/** Descriptors the server may still hold after a crowd has gone (its own files, the store, timers). */
const FD_MARGIN = 10;
const RSS_MARGIN_MB = 40;

let server: ChildServer;
beforeAll(async () => {
  server = await startChildServer();
  await server.api('PATCH', '/api/v1/apps/1', {
    settings: { flood: { burst: 100_000, perSecond: 100_000 } },
  });
}, 60_000);
afterAll(async () => server?.dispose());

describe('connection floods', () => {
  it(`${FLOOD} connections at once are served or refused cleanly, and descriptors return to their level`, async () => {
    const fdsBefore = await server.fds();
    const rssBefore = await server.rss();
    const started = Date.now();
    const attempts = await Promise.allSettled(
      Array.from({ length: FLOOD }, (_, i) => CrowdClient.open(server.url, `flood${i}`)),
    );
    const msToOpenAll = Date.now() - started;
    const opened = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    const refused = attempts.filter((a) => a.status === 'rejected');
    // Refusals are clean: an HTTP answer or a close, never a hang (allSettled returned) or a dead server.
    const fdsPeak = await server.fds();
    const rssPeak = await server.rss();
    const pings = await Promise.all(opened.slice(0, 50).map((c) => c.request('ping', undefined)));
    expect(pings.every((p) => p.ok)).toBe(true);
    for (const client of opened) client.ws.close();
    await Promise.all(opened.map((c) => c.closed));
    const fdsAfter = await waitFor(
      async () => {
        const fds = await server.fds();
        return fds - fdsBefore <= FD_MARGIN ? fds : null;
      },
      { timeoutMs: 30_000, label: 'descriptors back to their level' },
    );
    const probe = await CrowdClient.open(server.url, 'after-flood', 'lobby');
    probe.ws.close();
    expect(opened.length + refused.length).toBe(FLOOD);
    expect(opened.length).toBeGreaterThan(0);
    recordOutcome({
      id: 'connection-flood',
      fault: `${FLOOD} WebSocket connections opened at once, each signing in as a guest`,
      expected: 'each served or refused cleanly; descriptors back within 10 of their level once they go',
      measured: `${opened.length} served, ${refused.length} refused; descriptors back to level; server serving`,
      numbers: {
        connections: FLOOD,
        served: opened.length,
        refused: refused.length,
        msToOpenAll,
        fdsBefore,
        fdsPeak,
        fdsAfter,
        rssBeforeMB: mb(rssBefore),
        rssPeakMB: mb(rssPeak),
      },
    });
  });

  const churnMs = faultDurationMs(5_000, 120_000);
  it('sustained churn leaks neither descriptors nor memory', { timeout: churnMs + 90_000 }, async () => {
    const durationMs = churnMs;
    // A first round so that the baseline includes what any connection costs once (code paths, caches).
    const warm = await CrowdClient.open(server.url, 'churn-warm', 'lobby');
    await warm.request('send', { room: 'lobby', text: 'warm' });
    warm.ws.close();
    await warm.closed;
    const fdsBefore = await server.fds();
    const rssBefore = await server.rss();
    let rssPeak = rssBefore;
    let cycles = 0;
    const started = Date.now();
    while (Date.now() - started < durationMs) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          CrowdClient.open(server.url, `churn${(cycles * 50 + i) % 500}`, 'lobby'),
        ),
      );
      const sends = await Promise.all(
        batch.map((c) => c.request('send', { room: 'lobby', text: `cycle ${cycles}` })),
      );
      expect(sends.every((s) => s.ok)).toBe(true);
      for (const client of batch) client.ws.close();
      await Promise.all(batch.map((c) => c.closed));
      cycles++;
      rssPeak = Math.max(rssPeak, await server.rss());
    }
    const fdsAfter = await waitFor(
      async () => {
        const fds = await server.fds();
        return fds - fdsBefore <= FD_MARGIN ? fds : null;
      },
      { timeoutMs: 30_000, label: 'descriptors back to their level' },
    );
    const rssAfter = await waitFor(
      async () => {
        const rss = await server.rss();
        return mb(rss - rssBefore) < RSS_MARGIN_MB ? rss : null;
      },
      { timeoutMs: 30_000, label: 'RSS back near its level' },
    );
    recordOutcome({
      id: 'connection-churn',
      fault: `connect, sign in, join, send, close: 50 at a time for ${Math.round(durationMs / 1000)} s`,
      expected: `descriptors back within ${FD_MARGIN}, RSS within ${RSS_MARGIN_MB} MB of their level`,
      measured: `${cycles * 50} connections; descriptors ${fdsBefore} → ${fdsAfter}; RSS ${mb(rssBefore)} → ${mb(rssAfter)} MB`,
      numbers: {
        durationSec: Math.round(durationMs / 1000),
        connections: cycles * 50,
        fdsBefore,
        fdsAfter,
        rssBeforeMB: mb(rssBefore),
        rssPeakMB: mb(rssPeak),
        rssAfterMB: mb(rssAfter),
      },
    });
  });
});
