/** GET /api/v1/admin/stats: the admin console's per-second feed, from what the engine reports. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMetrics } from '../../src/http/metrics.js';
import { statsResponseSchema } from '../../src/http/routes/stats.js';
import { createTestEngine, RecordingSink } from '../helpers/engine.js';
import { bodyOf, createHttpHarness, errorOf, type HttpHarness } from './harness.js';

let h: HttpHarness | null = null;

afterEach(async () => {
  await h?.close();
  h = null;
});

async function harness(): Promise<HttpHarness> {
  const metrics = createMetrics();
  const testEngine = await createTestEngine({ metrics: metrics.engine });
  h = await createHttpHarness({ testEngine, registry: metrics.registry, live: metrics.live });
  return h;
}

async function stats(hh: HttpHarness, since?: number) {
  const res = await hh.call('GET', `/api/v1/admin/stats${since === undefined ? '' : `?since=${since}`}`, {
    admin: true,
  });
  expect(res.statusCode).toBe(200);
  return bodyOf(res, statsResponseSchema);
}

describe('GET /api/v1/admin/stats', () => {
  it('needs the admin key', async () => {
    const hh = await harness();
    const res = await hh.call('GET', '/api/v1/admin/stats');
    expect(res.statusCode).toBe(401);
    expect(errorOf(res).code).toBe('unauthorized');
  });

  it('samples sessions, message rates, latencies and the busiest rooms each second', async () => {
    const hh = await harness();
    const { token } = await hh.engine.issueToken(1, 'watcher');
    const principal = await hh.engine.authenticate(1, { kind: 'token', token });
    const session = hh.engine.openSession(principal, new RecordingSink(), {
      transport: 'test',
      dialect: 'native',
    });
    await session.join('lobby');
    await hh.engine.createRoom(1, { name: 'quiet' });
    for (let i = 0; i < 5; i++) await hh.engine.publish(1, 'lobby', { username: 'bot', text: `hello ${i}` });
    await hh.engine.publish(1, 'quiet', { username: 'bot', text: 'once' });

    // A tick may fall between two publishes: count over every sample.
    const samples = await vi.waitFor(
      async () => {
        const all = (await stats(hh)).samples;
        if (all.reduce((n, s) => n + s.messagesInPerSecond, 0) === 0)
          throw new Error('no messages sampled yet');
        return all;
      },
      { timeout: 5000, interval: 200 },
    );
    const busy = samples.filter((s) => s.messagesInPerSecond > 0);
    const sent = (room: string) =>
      busy
        .flatMap((s) => s.topRooms)
        .reduce((n, r) => (r.room === room && r.appId === 1 ? n + r.messages : n), 0);
    expect(sent('lobby')).toBe(5);
    expect(sent('quiet')).toBe(1);
    const first = busy[0]!;
    expect(first.connections).toBeGreaterThanOrEqual(1);
    expect(busy.some((s) => s.messagesOutPerSecond > 0)).toBe(true);
    expect(first.sendAckMs).not.toBeNull();
    expect(first.fanoutMs).not.toBeNull();
    expect(first.sendAckMs!.p99).toBeGreaterThanOrEqual(first.sendAckMs!.p50);
    expect(first.eventLoopDelayMs.max).toBeGreaterThanOrEqual(first.eventLoopDelayMs.p50);
    const last = busy[busy.length - 1]!;

    // `since`: only what came after; an idle second has no latencies.
    const later = await vi.waitFor(
      async () => {
        const page = await stats(hh, last.at);
        if (page.samples.length === 0) throw new Error('no newer sample yet');
        return page;
      },
      { timeout: 5000, interval: 200 },
    );
    expect(later.samples.every((s) => s.at > last.at)).toBe(true);
    expect(later.samples[0]).toMatchObject({ messagesInPerSecond: 0, sendAckMs: null, topRooms: [] });
    session.close();
  });

  it('refuses an unknown query parameter', async () => {
    const hh = await harness();
    const res = await hh.call('GET', '/api/v1/admin/stats?window=5', { admin: true });
    expect(res.statusCode).toBe(400);
  });
});
