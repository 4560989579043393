/**
 * Bus routing over a real Redis: three engines on one store, each on its own Redis bus. A node hears a room's
 * events only while someone on it is in the room, and its users' events wherever they are.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisBus, type RedisBus } from '../../src/bus/redis.js';
import type { Engine } from '../../src/engine/engine.js';
import type { EngineEvent } from '../../src/engine/events.js';
import type { BusMessage } from '../../src/engine/ports/bus.js';
import type { Store } from '../../src/engine/ports/store.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { createTestEngine, type TestEngine } from '../helpers/engine.js';
import { connect, type Connected } from '../helpers/engineCluster.js';
import { requireTestRedis, startOwnRedis, TEST_REDIS_URL, type OwnRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const available = await requireTestRedis();
const logger = pino({ level: 'silent' });
const WAIT = { timeoutMs: 20_000 };

interface Node {
  engine: Engine;
  /** Every message this node's bus handed to the engine, in order. */
  heard: BusMessage[];
}

type MessageEvent = Extract<EngineEvent, { type: 'message' }>;

describe.skipIf(!available)('bus routing', () => {
  const engines: TestEngine[] = [];
  const buses: RedisBus[] = [];
  const admins: Redis[] = [];
  let store: Store | null = null;
  let own: OwnRedis | null = null;
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.close();
    for (const bus of buses.splice(0)) await bus.close();
    for (const admin of admins.splice(0)) admin.disconnect();
    await store?.close();
    store = null;
    await own?.stop();
    own = null;
  });

  async function cluster(count: number, url = TEST_REDIS_URL) {
    const channel = `parley-test:${randomUUID()}`;
    store = openSqliteStore({ path: ':memory:' });
    const nodes: Node[] = [];
    for (let i = 0; i < count; i++) {
      const redisBus = createRedisBus({ url, channel, logger });
      buses.push(redisBus);
      await redisBus.ready;
      const heard: BusMessage[] = [];
      const bus = {
        ...redisBus,
        onMessage: (handler: (m: unknown) => void) =>
          redisBus.onMessage((m) => {
            heard.push(m as BusMessage);
            handler(m);
          }),
      };
      const node = await createTestEngine({
        store,
        bus,
        config: { busUnsubscribeDelayMs: 0, clusterHeartbeatMs: 60_000 },
      });
      engines.push(node);
      nodes.push({ engine: node.engine, heard });
    }
    // The tests send in bursts; the flood limit is not what they are about.
    await nodes[0]?.engine.updateApp(1, { settings: { flood: { burst: 1000, perSecond: 1000 } } });
    const admin = new Redis(url);
    admins.push(admin);
    /** How many subscribers Redis counts on the room's channel. */
    const subscribers = async (roomId: number): Promise<number> => {
      const [, n] = (await admin.pubsub('NUMSUB', `${channel}:room:1:${roomId}`)) as [string, number];
      return Number(n);
    };
    return { nodes, subscribers };
  }

  /** Waits until `node` hears a node_alive from `from` sent after everything `from` published before. */
  async function flushed(from: Node, to: Node): Promise<void> {
    const mark = to.heard.length;
    from.engine.broadcast.nodeAlive();
    await waitFor(
      () => to.heard.slice(mark).some((m) => m.type === 'node_alive' && m.origin === from.engine.nodeId),
      WAIT,
    );
  }

  const roomEventsOf = (node: Node, roomId: number) =>
    node.heard.filter((m) => m.type === 'room_event' && m.roomId === roomId);

  const seqsOf = (user: Connected, room: string) =>
    user.sink
      .of('message')
      .filter((e: MessageEvent) => e.room.name === room)
      .map((e: MessageEvent) => e.message.seq);

  async function sendMany(user: Connected, room: string, count: number, tag: string): Promise<void> {
    for (let i = 0; i < count; i++) await user.session.send(room, { text: `${tag} ${i}` });
  }

  it('[bus.route.room] a node hears a room from its first member on, without a gap, and stops when they leave', async () => {
    const { nodes, subscribers } = await cluster(3);
    const [a, b, c] = nodes as [Node, Node, Node];
    const room = await a.engine.createRoom(1, { name: 'routed' });
    const alice = await connect(a.engine, 'alice');
    const bob = await connect(b.engine, 'bob');
    const carol = await connect(c.engine, 'carol');
    await alice.session.join('routed');
    await bob.session.join('routed');

    // (a) C has a session of the app but nobody in the room: it hears none of the room's messages.
    await sendMany(alice, 'routed', 5, 'before');
    await waitFor(() => seqsOf(bob, 'routed').length === 5, WAIT);
    await flushed(a, c);
    expect(roomEventsOf(c, room.id)).toEqual([]);
    expect(roomEventsOf(b, room.id).length).toBeGreaterThanOrEqual(5);

    // (b) Carol joins on C; what is sent right after her join reaches her, every seq, in order.
    const joined = await carol.session.join('routed');
    await sendMany(alice, 'routed', 10, 'after');
    const expected = Array.from({ length: 10 }, (_, i) => joined.lastSeq + 1 + i);
    await waitFor(() => seqsOf(carol, 'routed').length >= 10, WAIT);
    expect(seqsOf(carol, 'routed')).toEqual(expected);
    expect(roomEventsOf(c, room.id).length).toBeGreaterThan(0);

    // (c) Carol leaves: C unsubscribes (Redis counts A and B only) and hears nothing more of the room.
    await carol.session.leave('routed');
    await waitFor(async () => (await subscribers(room.id)) === 2, WAIT);
    const heardBefore = roomEventsOf(c, room.id).length;
    await sendMany(alice, 'routed', 5, 'gone');
    await waitFor(() => seqsOf(bob, 'routed').length === 20, WAIT);
    await flushed(a, c);
    expect(roomEventsOf(c, room.id).length).toBe(heardBefore);
    expect(seqsOf(carol, 'routed')).toEqual(expected);
  });

  it('[bus.route.user] kicks, bans, role and profile changes and DMs reach a user on a node outside the room', async () => {
    const { nodes } = await cluster(3);
    const [a, , c] = nodes as [Node, Node, Node];
    const erin = await connect(a.engine, 'erin');
    const dave = await connect(c.engine, 'dave');
    const frank = await connect(c.engine, 'frank');

    const dm = await erin.session.openDm('dave');
    await erin.session.join(dm.name);
    await erin.session.send(dm.name, { text: 'psst' });
    const notice = await dave.sink.next('dm_message', (e) => e.message.text === 'psst');
    expect(notice.room.id).toBe(dm.id);

    await a.engine.setUserRole(1, 'dave', 'mod');
    await waitFor(() => dave.session.user.role === 'mod', WAIT);

    await a.engine.setUserProfile(1, 'dave', { displayName: 'Dave D.' });
    await waitFor(() => dave.session.user.displayName === 'Dave D.', WAIT);

    await a.engine.kick(1, 'dave', { reason: 'out' });
    await waitFor(() => dave.sink.terminated !== null, WAIT);
    expect(dave.sink.terminated?.reason).toBe('kicked');

    await a.engine.ban(1, 'frank', { reason: 'no' });
    await waitFor(() => frank.sink.terminated !== null, WAIT);
    expect(frank.sink.terminated?.reason).toBe('banned');
  });

  it('[bus.route.resubscribe] after the subscription is killed, every topic is subscribed again and the node resyncs', async () => {
    own = await startOwnRedis();
    const { nodes, subscribers } = await cluster(2, own.url);
    const [a, b] = nodes as [Node, Node];
    const room = await a.engine.createRoom(1, { name: 'kept' });
    const alice = await connect(a.engine, 'alice');
    const bob = await connect(b.engine, 'bob');
    await alice.session.join('kept');
    const joined = await bob.session.join('kept');
    await waitFor(async () => (await subscribers(room.id)) === 2, WAIT);
    const resyncs = () => b.heard.filter((m) => m.type === 'resync').length;
    const before = resyncs();

    const killer = new Redis(own.url);
    admins.push(killer);
    await killer.client('KILL', 'TYPE', 'pubsub');
    // Sent while the subscriptions may be down: each reaches Bob, from the bus or read back at the resync.
    await sendMany(alice, 'kept', 5, 'during');
    await waitFor(() => resyncs() > before, WAIT);
    await waitFor(async () => (await subscribers(room.id)) === 2, WAIT);
    await sendMany(alice, 'kept', 5, 'after');
    const expected = Array.from({ length: 10 }, (_, i) => joined.lastSeq + 1 + i);
    await waitFor(() => seqsOf(bob, 'kept').length >= 10, WAIT);
    expect(seqsOf(bob, 'kept')).toEqual(expected);
    // The app's topic came back too: a user event still reaches Bob.
    await a.engine.kick(1, 'bob', {});
    await waitFor(() => bob.sink.terminated?.reason === 'kicked', WAIT);
  });
});
