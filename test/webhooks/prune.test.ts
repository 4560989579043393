/**
 * The delivery log's prune (docs/webhooks.md, "Delivery log"): delivered deliveries older than the bound go in
 * bounded batches, dead and unfinished ones stay, and of two nodes sharing the store only the one holding the
 * lease prunes.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import { DAY_MS } from '../../src/core/dataProtection.js';
import type { EngineContext } from '../../src/engine/context.js';
import type { Store } from '../../src/engine/ports/store.js';
import { WebhookPrune } from '../../src/engine/webhookPrune.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

const T0 = 1_700_000_000_000;

describe('webhook delivery prune', () => {
  let store: Store;
  let now = T0;
  const contextOf = (nodeId: string) =>
    ({
      nodeId,
      store,
      clock: { now: () => now },
      logger: pino({ level: 'silent' }),
      track: <T>(promise: Promise<T>) => promise,
    }) as unknown as EngineContext;

  beforeEach(() => {
    store = openSqliteStore({ path: ':memory:' });
    now = T0;
  });
  afterEach(() => store.close());

  /** `delivered` deliveries delivered at T0 (one queue each, so one claim takes them all), then a dead one. */
  async function fill(delivered: number): Promise<void> {
    const app = await store.directory.createApp('app', DEFAULT_APP_SETTINGS, T0);
    const hook = await store.webhooks.create({
      ...{ appId: app.id, url: 'https://example.com/hook', secret: 'a-secret-of-sixteen' },
      ...{ events: ['*'], enabled: true, now: T0 },
    });
    const row = (i: number) => ({
      ...{ appId: app.id, webhookId: hook.id, eventId: `e${i}`, type: 't', orderKey: `room:${i}` },
      ...{ body: '{}', createdAt: T0 },
    });
    await store.webhooks.enqueue(Array.from({ length: delivered + 1 }, (_, i) => row(i)));
    const claimed = await store.webhooks.claim({ node: 'n', now: T0, leaseMs: 1000, limit: 1000 });
    await store.webhooks.finish(
      'n',
      claimed.map((d, i) => ({
        id: d.id,
        outcome:
          i < delivered
            ? { status: 'delivered', httpStatus: 200, at: T0 }
            : { status: 'dead', httpStatus: 500, failure: 'status', nextAttemptAt: null },
      })),
    );
  }

  it('removes old delivered deliveries in batches, once in the cluster, and keeps the dead', async () => {
    await fill(25);
    const a = new WebhookPrune(contextOf('a'), { keepDays: 7, batch: 10, pauseMs: 0 });
    const b = new WebhookPrune(contextOf('b'), { keepDays: 7, batch: 10, pauseMs: 0 });
    // Not old enough yet: nothing goes.
    now = T0 + 7 * DAY_MS - 1;
    expect(await a.sweep()).toBe(0);
    now = T0 + 7 * DAY_MS + 1;
    const batches = vi.spyOn(store.webhooks, 'pruneDelivered');
    // a holds the lease from its first sweep: b skips.
    expect(await b.sweep()).toBe(0);
    expect(batches).not.toHaveBeenCalled();
    expect(await a.sweep()).toBe(25);
    expect(batches.mock.calls.map(([, limit]) => limit)).toEqual([10, 10, 10]);
    expect(await store.webhooks.backlog()).toBe(0);
    const app = (await store.directory.listApps())[0];
    const [hook] = await store.webhooks.list(app?.id ?? 0);
    const left = await store.webhooks.deliveries(app?.id ?? 0, hook?.id ?? 0, { limit: 50 });
    expect(left.map((d) => d.status)).toEqual(['dead']);
  });

  it('stops after maxBatches; the rest waits for the next sweep', async () => {
    await fill(30);
    now = T0 + 8 * DAY_MS;
    const prune = new WebhookPrune(contextOf('a'), { keepDays: 7, batch: 10, pauseMs: 0, maxBatches: 2 });
    expect(await prune.sweep()).toBe(20);
    expect(await prune.sweep()).toBe(10);
  });
});
