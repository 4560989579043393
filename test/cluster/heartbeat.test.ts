/**
 * The bound on dropping a dead node's presence, checked exactly: two engines in this process on one store,
 * joined by a bus the test controls, under fake timers (no PostgreSQL or Redis needed). The end-to-end
 * version (failover.test.ts, [cluster.node.sigkill]) measures the same thing on real processes, where the
 * timers' phases are left to chance.
 *
 * README: "Nodes announce themselves this often; the presence of a node silent for 3 × this is dropped."
 * docs/deploy.md: "the other nodes drop its presence after 3 × PARLEY_CLUSTER_HEARTBEAT_MS".
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Bus, BusHandler, BusMessage } from '../../src/engine/ports/bus.js';
import type { Engine } from '../../src/engine/engine.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/engine/ports/store.js';
import { createTestEngine, RecordingSink, type TestEngine } from '../helpers/engine.js';

const HEARTBEAT_MS = 300;
const GRACE_MS = 200;

/** Delivers every published message to the other connected buses (as Redis pub/sub does), unless cut. */
class Hub {
  private readonly handlers = new Map<Bus, BusHandler | null>();
  private readonly cutOff = new Set<Bus>();

  connect(): Bus {
    const bus: Bus = {
      publish: (message: BusMessage) => {
        if (this.cutOff.has(bus)) return;
        for (const [other, handler] of this.handlers) {
          if (other === bus || !handler || this.cutOff.has(other)) continue;
          queueMicrotask(() => handler(message));
        }
      },
      // Every node hears every topic here: what this file tests is the heartbeat, not routing.
      subscribe: () => Promise.resolve(),
      unsubscribe: () => {},
      onMessage: (handler) => {
        this.handlers.set(bus, handler);
      },
    };
    this.handlers.set(bus, null);
    return bus;
  }

  /** The node is gone: it is no longer heard (a SIGKILL, as far as the others can tell). */
  cut(bus: Bus): void {
    this.cutOff.add(bus);
  }
}

describe('[cluster.node-gone.bound] a dead node is dropped within the documented bound', () => {
  let store: Store;
  const engines: TestEngine[] = [];

  beforeEach(() => {
    // Only the timers the heartbeat uses and the clock: promises and setImmediate stay real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    store = openSqliteStore({ path: ':memory:' });
  });
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.close();
    await store.close();
    vi.useRealTimers();
  });

  async function node(hub: Hub): Promise<{ engine: Engine; bus: Bus }> {
    const bus = hub.connect();
    const created = await createTestEngine({
      store,
      bus,
      // Departures told at once (no batch window), so that the drop is measured against its own bound.
      config: { clusterHeartbeatMs: HEARTBEAT_MS, presenceGraceMs: GRACE_MS, presenceBatchMs: 0 },
    });
    engines.push(created);
    return { engine: created.engine, bus };
  }

  async function connect(engine: Engine, username: string): Promise<RecordingSink> {
    await engine.createUser(1, { username });
    const { token } = await engine.issueToken(1, username);
    const sink = new RecordingSink();
    const principal = await engine.authenticate(1, { kind: 'token', token });
    engine.openSession(principal, sink, { transport: 'test', dialect: 'native', appPresence: true });
    return sink;
  }

  it('at most 3 × heartbeat + presence grace after the node was last heard', async () => {
    const hub = new Hub();
    const observer = await node(hub);
    // The dying node's heartbeats fall 10 ms after the observer's (nodes start at different times).
    await vi.advanceTimersByTimeAsync(10);
    const dying = await node(hub);
    const watcher = await connect(observer.engine, 'watcher');
    await connect(dying.engine, 'ghost');
    await vi.advanceTimersByTimeAsync(0);
    expect(watcher.toldPresence(true)).toContain('ghost');

    // Run both nodes for a while, then kill the dying node right after one of its heartbeats.
    await vi.advanceTimersByTimeAsync(2 * HEARTBEAT_MS);
    const lastHeard = Date.now();
    hub.cut(dying.bus);

    const bound = 3 * HEARTBEAT_MS + GRACE_MS;
    let droppedAfter: number | null = null;
    for (let elapsed = 0; elapsed <= 2 * bound && droppedAfter === null; elapsed += 10) {
      await vi.advanceTimersByTimeAsync(10);
      if (watcher.toldPresence(false).includes('ghost')) droppedAfter = Date.now() - lastHeard;
    }
    expect(droppedAfter, 'the ghost was never dropped').not.toBeNull();
    expect(droppedAfter, `dropped ${droppedAfter} ms after the node was last heard`).toBeLessThanOrEqual(
      bound,
    );
  });
});
