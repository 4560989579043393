import { afterEach, describe, expect, it } from 'vitest';
import { BUS_VERSION, type Bus, type BusHandler, type BusMessage } from '../../src/engine/ports/bus.js';
import type { Role } from '../../src/core/roles.js';
import type { Engine } from '../../src/engine/engine.js';
import type { EngineSession } from '../../src/engine/session.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/engine/ports/store.js';
import { createTestEngine, RecordingSink, type TestEngine } from '../helpers/engine.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Several engines in one process on one store, joined by a bus the test controls: it can drop messages and
 * cut a node off, which is how the cluster rules are checked without Redis (the socket.io cluster adapter's
 * tests work the same way).
 */
class TestHub {
  private readonly nodes = new Map<Bus, { handler: BusHandler | null; cut: boolean }>();
  dropNext: ((m: BusMessage) => boolean) | null = null;

  connect(): Bus {
    const bus: Bus = {
      publish: (message) => {
        const self = this.nodes.get(bus);
        if (!self || self.cut) return;
        if (this.dropNext?.(message)) {
          this.dropNext = null;
          return;
        }
        for (const [other, state] of this.nodes) {
          if (other !== bus && !state.cut && state.handler) {
            const handler = state.handler;
            queueMicrotask(() => handler(message));
          }
        }
      },
      onMessage: (handler) => {
        const state = this.nodes.get(bus);
        if (state) state.handler = handler;
      },
      // Every node hears every topic here: these tests cut and drop messages, routing is tested elsewhere.
      subscribe: () => Promise.resolve(),
      unsubscribe: () => {},
    };
    this.nodes.set(bus, { handler: null, cut: false });
    return bus;
  }

  /** The node stops hearing and being heard, as if it died or lost the bus. */
  cut(bus: Bus): void {
    const state = this.nodes.get(bus);
    if (state) state.cut = true;
  }

  /** The link is back: the node's adapter tells its own engine to resync. */
  restore(bus: Bus): void {
    const state = this.nodes.get(bus);
    if (!state) return;
    state.cut = false;
    state.handler?.({ v: BUS_VERSION, type: 'resync', origin: 'bus' });
  }
}

let nodes: TestEngine[] = [];
let store: Store;
afterEach(async () => {
  for (const node of nodes) await node.close();
  nodes = [];
  await store?.close();
});

async function cluster(count: number, hub: TestHub, heartbeatMs = 60_000) {
  store = openSqliteStore({ path: ':memory:' });
  const buses: Bus[] = [];
  for (let i = 0; i < count; i++) {
    const bus = hub.connect();
    buses.push(bus);
    nodes.push(
      await createTestEngine({
        store,
        bus,
        config: { clusterHeartbeatMs: heartbeatMs, backfillDelayMs: 20 },
      }),
    );
  }
  await nodes[0]?.engine.updateApp(1, { settings: { flood: { burst: 1000, perSecond: 1000 } } });
  return { engines: nodes.map((n) => n.engine), buses };
}

async function connect(engine: Engine, username: string, role: Role = 'member') {
  const existing = await engine.listUsers(1, { limit: 1000 });
  if (!existing.some((u) => u.username === username)) await engine.createUser(1, { username, role });
  const { token } = await engine.issueToken(1, username);
  const sink = new RecordingSink();
  const session = engine.openSession(
    await engine.authenticate(1, { kind: 'token', token }),
    sink,
  ) as EngineSession;
  return { session, sink };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('cluster (in-process nodes)', () => {
  it('[cluster.fanout] a message committed on one node reaches the clients of the others once, in order', async () => {
    const hub = new TestHub();
    const [a, b] = (await cluster(2, hub)).engines as [Engine, Engine];
    const alice = await connect(a, 'alice');
    const bob = await connect(b, 'bob');
    await alice.session.join('lobby');
    await bob.session.join('lobby');
    for (let i = 1; i <= 20; i++) await alice.session.send('lobby', { text: `m${i}` });
    await waitFor(() => bob.sink.of('message').length === 20);
    expect(bob.sink.of('message').map((e) => e.message.seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it('[cluster.backfill] a lost bus message is read back from storage: no gap, no duplicate', async () => {
    const hub = new TestHub();
    const [a, b] = (await cluster(2, hub)).engines as [Engine, Engine];
    const alice = await connect(a, 'alice');
    const bob = await connect(b, 'bob');
    await alice.session.join('lobby');
    await bob.session.join('lobby');
    await alice.session.send('lobby', { text: 'one' });
    hub.dropNext = (m) => m.type === 'room_event' && m.event.type === 'message';
    await alice.session.send('lobby', { text: 'two (lost on the bus)' });
    await alice.session.send('lobby', { text: 'three' });
    await waitFor(() => bob.sink.of('message').length === 3);
    expect(bob.sink.of('message').map((e) => e.message.text)).toEqual([
      'one',
      'two (lost on the bus)',
      'three',
    ]);
  });

  it('[cluster.resync] after the bus comes back, a node catches up even with no later message', async () => {
    const hub = new TestHub();
    const { engines, buses } = await cluster(2, hub);
    const [a, b] = engines as [Engine, Engine];
    const alice = await connect(a, 'alice');
    const bob = await connect(b, 'bob');
    await alice.session.join('lobby');
    await bob.session.join('lobby');
    hub.cut(buses[1] as Bus);
    await alice.session.send('lobby', { text: 'while cut off' });
    hub.restore(buses[1] as Bus);
    await waitFor(() => bob.sink.of('message').length === 1);
    expect(bob.sink.of('message')[0]?.message.text).toBe('while cut off');
  });

  it('[cluster.presence] a user connected to two nodes is one presence; leaves when the last goes', async () => {
    const hub = new TestHub();
    const [a, b, c] = (await cluster(3, hub)).engines as [Engine, Engine, Engine];
    const watcher = await connect(c, 'watcher');
    await watcher.session.join('lobby');
    const onA = await connect(a, 'alice');
    const onB = await connect(b, 'alice');
    await onA.session.join('lobby');
    await onB.session.join('lobby');
    await waitFor(() => watcher.sink.of('presence_join').length === 1);
    await waitFor(async () => (await watcher.session.members('lobby')).online.length === 2);
    expect((await watcher.session.members('lobby')).online.map((u) => u.username).sort()).toEqual([
      'alice',
      'watcher',
    ]);
    expect(c.online(1).find((o) => o.user.username === 'alice')?.connections).toBe(2);
    onA.session.close();
    // A marker from alice's other node proves the leave would have arrived before it.
    await onB.session.send('lobby', { text: 'marker' });
    await watcher.sink.next('message', (e) => e.message.text === 'marker');
    expect(watcher.sink.of('presence_leave')).toHaveLength(0);
    onB.session.close();
    const left = await watcher.sink.next('presence_leave');
    expect(left.user.username).toBe('alice');
    await settle();
    expect(watcher.sink.of('presence_join').filter((e) => e.user.username === 'alice')).toHaveLength(1);
  });

  it('[cluster.kick] a kick on one node disconnects the user on every node; mutes hold everywhere', async () => {
    const hub = new TestHub();
    const [a, b] = (await cluster(2, hub)).engines as [Engine, Engine];
    const mod = await connect(a, 'mo', 'mod');
    const aliceOnB = await connect(b, 'alice');
    await aliceOnB.session.join('lobby');
    await mod.session.mute('alice', { minutes: 5 });
    await waitFor(() => aliceOnB.sink.of('muted').length === 1);
    await expect(aliceOnB.session.send('lobby', { text: 'x' })).rejects.toMatchObject({ code: 'muted' });
    await mod.session.kick('alice', {});
    await waitFor(() => aliceOnB.sink.terminated !== null);
    expect(aliceOnB.sink.terminated?.reason).toBe('kicked');
  });

  it('[cluster.node-death] the presence of a node that stops being heard is dropped within 3 heartbeats', async () => {
    const hub = new TestHub();
    const { engines, buses } = await cluster(2, hub, 40);
    const [a, b] = engines as [Engine, Engine];
    const watcher = await connect(a, 'watcher');
    await watcher.session.join('lobby');
    const alice = await connect(b, 'alice');
    await alice.session.join('lobby');
    await waitFor(() => watcher.sink.of('presence_join').length === 1);
    hub.cut(buses[1] as Bus);
    const left = await watcher.sink.next('presence_leave');
    expect(left.user.username).toBe('alice');
    expect(a.online(1).map((o) => o.user.username)).toEqual(['watcher']);
    hub.restore(buses[1] as Bus);
    await waitFor(() => watcher.sink.of('presence_join').length === 2);
  });
});
