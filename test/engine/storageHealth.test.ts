/**
 * The storage health part (src/engine/storageHealth.ts) over a store whose writes fail on demand: an
 * `unavailable` failure marks storage unhealthy, message writes are then refused without reaching the store,
 * reads still reach it, and the first probe that commits marks it healthy again.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { ParleyError } from '../../src/core/errors.js';
import type { MessageLog, Store } from '../../src/engine/ports/store.js';
import { StorageHealth, watchedStore } from '../../src/engine/storageHealth.js';
import { waitFor } from '../helpers/wait.js';

class FlakyStore {
  broken = false;
  appends = 0;
  reads = 0;
  probes = 0;
  private fail(): Promise<never> {
    const err = new ParleyError('unavailable', 'the database is unavailable');
    err.cause = new Error('database or disk is full');
    return Promise.reject(err);
  }
  store(): Store {
    const messages: Partial<MessageLog> = {
      append: () => {
        this.appends += 1;
        return this.broken ? this.fail() : Promise.reject(new Error('not used'));
      },
      lastSeq: () => {
        this.reads += 1;
        return Promise.resolve(7);
      },
    };
    return {
      directory: {} as Store['directory'],
      guests: {} as Store['guests'],
      pageRooms: {} as Store['pageRooms'],
      webhooks: {} as Store['webhooks'],
      dataProtection: {} as Store['dataProtection'],
      bots: {} as Store['bots'],
      replies: {} as Store['replies'],
      pins: {} as Store['pins'],
      reactions: {} as Store['reactions'],
      reads: {} as Store['reads'],
      search: {} as Store['search'],
      dms: {} as Store['dms'],
      profiles: {} as Store['profiles'],
      tokens: {} as Store['tokens'],
      audit: {} as Store['audit'],
      reports: {} as Store['reports'],
      strikes: {} as Store['strikes'],
      linkPreviews: {} as Store['linkPreviews'],
      attachments: {} as Store['attachments'],
      messages: messages as MessageLog,
      ping: () => Promise.resolve(),
      probeWrite: () => {
        this.probes += 1;
        return this.broken ? this.fail() : Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
  }
}

const NEW_MESSAGE = {
  appId: 1,
  roomId: 1,
  kind: 'text',
  authorId: 1,
  text: 'x',
  html: 'x',
  clientMsgId: null,
  createdAt: 0,
} as const;

/** A flaky store watched by a health part that probes every 10 ms. */
function watch(): { flaky: FlakyStore; store: Store; watching: StorageHealth } {
  const flaky = new FlakyStore();
  const raw = flaky.store();
  const watching = new StorageHealth({
    store: raw,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    probeMs: 10,
  });
  return { flaky, store: watchedStore(raw, watching), watching };
}

describe('issue 10 storage: the storage health part', () => {
  let health: StorageHealth | null = null;
  afterEach(() => health?.stop());

  it('issue 10 storage: a failed write marks storage unhealthy, refuses writes at once, and a probe brings it back', async () => {
    const { flaky, store, watching } = watch();
    health = watching;
    expect(health.view()).toMatchObject({ healthy: true, outages: 0, wal: null });

    flaky.broken = true;
    await expect(store.messages.append(NEW_MESSAGE)).rejects.toMatchObject({ code: 'unavailable' });
    expect(health.view()).toMatchObject({ healthy: false, reason: 'database or disk is full', outages: 1 });

    // Refused without reaching the store; reads still go through.
    const appendsBefore = flaky.appends;
    await expect(store.messages.append(NEW_MESSAGE)).rejects.toMatchObject({ code: 'unavailable' });
    expect(flaky.appends).toBe(appendsBefore);
    await expect(store.messages.lastSeq(1)).resolves.toBe(7);

    // The probe keeps failing while the fault lasts, with backoff, and stays unhealthy.
    await waitFor(() => flaky.probes >= 3, { label: 'probes while broken' });
    expect(health.view().healthy).toBe(false);

    flaky.broken = false;
    await waitFor(() => health?.view().healthy, { label: 'healthy after the fault' });
    expect(health.view()).toMatchObject({ healthy: true, reason: null, outages: 1 });
  });

  it('issue 10 storage: failures other than unavailable say nothing about health', async () => {
    const { store, watching } = watch();
    health = watching;
    await expect(store.messages.append(NEW_MESSAGE)).rejects.toThrow('not used');
    health.observe(new ParleyError('conflict'));
    expect(health.view().healthy).toBe(true);
  });
});
