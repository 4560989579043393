/**
 * A join answered on a node whose bus lags behind storage: the reply (read from storage) already carries
 * messages the node's room channel has yet to hand out. The joining session must see each of them once, and
 * the members who were there before must still get every one. Two engines on one store; the second node's bus
 * intake is held by the test, as a paused process or a slow bus would hold it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalBusHub } from '../../src/bus/local.js';
import type { Session } from '../../src/engine/api.js';
import type { Engine } from '../../src/engine/engine.js';
import type { Bus, BusHandler } from '../../src/engine/ports/bus.js';
import type { Store } from '../../src/engine/ports/store.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { createTestEngine, RecordingSink, type TestEngine } from '../helpers/engine.js';

const nodes: TestEngine[] = [];
let shared: Store | null = null;
afterEach(async () => {
  for (const node of nodes.splice(0)) await node.close();
  await shared?.close();
  shared = null;
});

/** A bus whose deliveries to this node wait while `hold()` is in force, and arrive in order on `release()`. */
function heldBus(inner: Bus) {
  let held: unknown[] | null = null;
  let handler: BusHandler | null = null;
  const bus: Bus = {
    publish: (message, topic) => inner.publish(message, topic),
    subscribe: (topic) => inner.subscribe(topic),
    unsubscribe: (topic) => inner.unsubscribe(topic),
    onMessage: (h) => {
      handler = h;
      inner.onMessage((message) => {
        if (held) held.push(message);
        else void h(message);
      });
    },
  };
  return {
    bus,
    hold: () => void (held ??= []),
    release: () => {
      const waiting = held ?? [];
      held = null;
      for (const message of waiting) void handler?.(message);
    },
  };
}

async function connect(engine: Engine, username: string) {
  const existing = await engine.listUsers(1, { limit: 1000 });
  if (!existing.some((u) => u.username === username)) await engine.createUser(1, { username });
  const { token } = await engine.issueToken(1, username);
  const sink = new RecordingSink();
  const principal = await engine.authenticate(1, { kind: 'token', token });
  const session: Session = engine.openSession(principal, sink, { transport: 'test', dialect: 'native' });
  return { session, sink };
}

const seqsOf = (sink: RecordingSink) => sink.of('message').map((e) => e.message.seq);

describe('a join on a node that lags behind storage', () => {
  it('[engine.join.lagging] hands each message to the joining session once, and every one to the others', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    shared = store;
    const hub = new LocalBusHub();
    const lagging = heldBus(hub.connect());
    const config = { clusterHeartbeatMs: 60_000 };
    nodes.push(await createTestEngine({ store, bus: hub.connect(), config }));
    nodes.push(await createTestEngine({ store, bus: lagging.bus, config }));
    const [first, second] = nodes.map((n) => n.engine) as [Engine, Engine];
    await first.createRoom(1, { name: 'lag' });

    const alice = await connect(first, 'alice');
    const bob = await connect(second, 'bob');
    await alice.session.join('lag');
    await bob.session.join('lag');

    lagging.hold();
    for (const text of ['one', 'two', 'three']) await alice.session.send('lag', { text });
    const carol = await connect(second, 'carol');
    const reply = await carol.session.join('lag');
    expect(reply.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(reply.lastSeq).toBe(3);
    // The reply is out and the events held during the join are handed on (session.releaseHeld): only then
    // does the lagging bus catch up, as it does when the node was paused for longer than the join took.
    await new Promise((resolve) => setImmediate(resolve));

    lagging.release();
    await alice.session.send('lag', { text: 'four' });
    await bob.sink.next('message', (e) => e.message.seq === 4);
    await carol.sink.next('message', (e) => e.message.seq === 4);

    expect(seqsOf(bob.sink)).toEqual([1, 2, 3, 4]);
    // Before the fix the lagging channel handed 1..3 to carol again after her reply: [1, 2, 3, 4].
    expect(seqsOf(carol.sink)).toEqual([4]);
  });
});
