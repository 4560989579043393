/**
 * The Redis bus fails in the middle of traffic (docs/deploy.md, "What happens when something fails"): its
 * subscriptions are killed (`CLIENT KILL TYPE pubsub`), then Redis itself is stopped and started again, empty.
 * A publisher on node A never stops sending; subscribers on nodes B and C must still get every acknowledged
 * message exactly once, in seq order, with no gap — what the bus lost is read back from storage.
 *
 * Only the test's own redis-server is killed and restarted, never the machine's shared one.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/client/index.js';
import {
  adminApi,
  clusterServicesAvailable,
  ClusterClients,
  createRoom,
  fullHistory,
  NO_FLOOD,
  startCluster,
  tokenFor,
  unique,
  waitForMesh,
  type Cluster,
  type ClusterNode,
} from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait.js';
import {
  emitWithAck,
  ioMessages,
  range,
  rawSend,
  RawNative,
  recordingIo,
  seqsOf,
  SendStream,
  asRec,
  record,
  type Rec,
} from './drivers.js';

const available = await clusterServicesAvailable('test/cluster/bus-faults');

describe.skipIf(!available)('cluster: the Redis bus fails in the middle of traffic', () => {
  let cluster: Cluster;
  let A: ClusterNode;
  let B: ClusterNode;
  let C: ClusterNode;
  const clients = new ClusterClients();

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 3 });
    [A, B, C] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
    await adminApi(A, 'PATCH', '/api/v1/apps/1', { settings: NO_FLOOD });
    await waitForMesh(cluster);
  }, 240_000);
  afterEach(() => clients.closeAll());
  afterAll(async () => {
    clients.closeAll();
    await cluster?.close();
  });

  it('[cluster.bus.gapless] no gap or duplicate after CLIENT KILL TYPE pubsub and after a Redis restart', async () => {
    const room = unique('stream');
    await createRoom(A, room);

    const publisher = await RawNative.open(clients, A.url);
    await publisher.call('auth', { token: await tokenFor(A, unique('pub')) });
    await publisher.call('join', { room });

    // Subscribers that show exactly what the server sends: plain WebSocket on B, socket.io on C.
    const onB = await RawNative.open(clients, B.url);
    await onB.call('auth', { token: await tokenFor(B, unique('subb')) });
    await onB.call('join', { room });
    const onC = recordingIo(clients, C.url, '', { app: '1' });
    await onC.connected;
    const [authC] = await emitWithAck(onC.socket, 'auth', { token: await tokenFor(C, unique('subc')) });
    expect(asRec(authC).ok).toBe(true);
    const [joinC] = await emitWithAck(onC.socket, 'join', { room });
    expect(asRec(joinC).ok).toBe(true);

    const received: Record<'B' | 'C', () => Rec[]> = {
      B: () => onB.messages(room),
      C: () => ioMessages(onC, room),
    };
    const highest = (name: 'B' | 'C') => Math.max(0, ...seqsOf(received[name]()));
    const bothPast = async (seq: number, label: string) =>
      waitFor(() => highest('B') > seq && highest('C') > seq, {
        timeoutMs: 60_000,
        label: `${label}: both subscribers past seq ${seq} (B at ${highest('B')}, C at ${highest('C')})`,
      });
    const lastAcked = () => Math.max(0, ...stream.acked.map((a) => a.seq));

    const stream = new SendStream(unique('s'), (text, id) => rawSend(publisher, room, text, id), {
      retry: true,
    });
    stream.start();
    const admin = new Redis(cluster.redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
    admin.on('error', () => {});
    try {
      await stream.waitForAcked(30, 'traffic before the faults');

      // 1. Every subscription of every node is killed (the publishing connections stay).
      const killed = await admin.client('KILL', 'TYPE', 'pubsub');
      expect(killed).toBeGreaterThanOrEqual(cluster.nodes.length);
      const atKill = stream.acked.length;
      const seqAtKill = lastAcked();
      await stream.waitForAcked(atKill + 30, 'traffic after CLIENT KILL');
      await bothPast(seqAtKill + 20, 'after CLIENT KILL TYPE pubsub');

      // 2. Redis goes away and comes back empty, while the publisher keeps sending.
      admin.disconnect();
      await cluster.redis.stop();
      const atStop = stream.acked.length;
      await stream.waitForAcked(atStop + 30, 'traffic while Redis is down');
      await cluster.redis.start();
      const seqAtStart = lastAcked();
      await stream.waitForAcked(stream.acked.length + 30, 'traffic after Redis is back');
      await bothPast(seqAtStart + 20, 'after the Redis restart');
    } finally {
      admin.disconnect();
      await stream.stop();
      await cluster.redis.start(); // when the test failed with Redis stopped (no-op when it runs)
    }

    const last = lastAcked();
    await bothPast(last - 1, 'the end of the stream');
    const stored = await fullHistory(B, room);
    // Only the publisher writes to this room: the history is seqs 1..last, each clientMsgId once.
    expect(seqsOf(stored as unknown as Rec[])).toEqual(range(1, last));
    expect(new Set(stored.map((m) => m.clientMsgId)).size).toBe(stored.length);
    const storedBySeq = new Map(stored.map((m) => [m.seq, m]));
    for (const ack of stream.acked) {
      expect(storedBySeq.get(ack.seq), `acknowledged ${ack.clientMsgId}`).toMatchObject({
        clientMsgId: ack.clientMsgId,
        text: ack.text,
        id: ack.id,
      });
    }
    // Exactly once, in seq order, no gap, on both nodes; and what arrived is what was stored.
    for (const name of ['B', 'C'] as const) {
      const messages = received[name]();
      expect(seqsOf(messages), `seqs received on node ${name}`).toEqual(range(1, last));
      expect(
        messages.map((m) => m.text),
        `texts received on node ${name}`,
      ).toEqual(stored.map((m) => m.text));
    }
    expect(stream.failures, 'sends that failed (and were retried)').toEqual([]);
  }, 180_000);

  /** A typed client of a new user on `node`, connected, in `room`. */
  async function member(
    node: ClusterNode,
    room: string,
  ): Promise<{ client: ParleyClient; username: string }> {
    const username = unique('m');
    const client = clients.native(
      node,
      'ws',
      { token: await tokenFor(node, username) },
      { reconnect: false },
    );
    await client.connect();
    await client.join(room);
    return { client, username };
  }

  const namesIn = async (client: ParleyClient, room: string) =>
    (await client.members(room)).map((m) => m.username);

  it('[cluster.bus.presence-resync] presence that changed while Redis was down is exchanged once it is back', async () => {
    const room = unique('pr');
    await createRoom(A, room);
    const watcher = await member(B, room);
    const leaver = await member(A, room);
    await waitFor(async () => (await namesIn(watcher.client, room)).includes(leaver.username), {
      timeoutMs: 30_000,
      label: 'the leaver seen on node B',
    });

    await cluster.redis.stop();
    try {
      const comer = await member(A, room);
      leaver.client.close();
      // Node A itself has seen the leaver go (grace period over) while nobody could hear it.
      await waitFor(async () => !(await namesIn(comer.client, room)).includes(leaver.username), {
        timeoutMs: 30_000,
        label: 'node A to drop the leaver',
      });
      await cluster.redis.start();
      await waitFor(
        async () => {
          const names = await namesIn(watcher.client, room);
          return names.includes(comer.username) && !names.includes(leaver.username);
        },
        { timeoutMs: 30_000, label: 'node B to learn who came and who went while Redis was down' },
      );
    } finally {
      await cluster.redis.start(); // when the test failed with Redis stopped (no-op when it runs)
    }
  }, 120_000);

  it('[cluster.bus.publisher-lost] what a node said while only its publishing connection was down reaches the others', async () => {
    const room = unique('pl');
    await createRoom(A, room);
    const watcher = await member(B, room);
    const heard = record(watcher.client, 'message');
    const publisher = await RawNative.open(clients, A.url);
    await publisher.call('auth', { token: await tokenFor(A, unique('pub')) });
    await publisher.call('join', { room });
    const comerName = unique('comer');
    const comer = clients.native(A, 'ws', { token: await tokenFor(A, comerName) }, { reconnect: false });
    await comer.connect();

    const admin = new Redis(cluster.redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
    admin.on('error', () => {});
    let sent: Awaited<ReturnType<typeof rawSend>>;
    try {
      // Every node's publisher is up first (an earlier test restarted Redis; reconnects take their backoff).
      await waitFor(
        async () => {
          const list = String(await admin.call('CLIENT', 'LIST', 'TYPE', 'normal'));
          return (
            list.split('\n').filter((line) => line.includes('name=parley-pub')).length >= cluster.nodes.length
          );
        },
        { timeoutMs: 20_000, label: 'every node publishing' },
      );
      // The nodes' publishing connections drop (their subscriptions stay): each reconnects after its backoff.
      const killed = await admin.client('KILL', 'TYPE', 'normal');
      expect(killed).toBeGreaterThanOrEqual(cluster.nodes.length);
      // Right away, before node A's publisher is back: a message, and a user coming into the room.
      [sent] = await Promise.all([
        rawSend(publisher, room, 'said while node A could not publish', unique('c')),
        comer.join(room),
      ]);
      expect(sent).toMatchObject({ ok: true });
      await waitFor(
        async () => {
          const list = String(await admin.client('LIST'));
          return (list.match(/name=parley-pub /g) ?? []).length >= cluster.nodes.length;
        },
        { timeoutMs: 30_000, label: "the nodes' publishing connections back" },
      );
    } finally {
      admin.disconnect();
    }
    // Nothing else is said in the room: node B has no later seq to notice the loss by.
    const outcome = await Promise.all([
      waitFor(() => heard.items.some((e) => e.message.text === 'said while node A could not publish'), {
        timeoutMs: 10_000,
      }).then(
        () => 'delivered',
        () => 'never delivered',
      ),
      waitFor(async () => (await namesIn(watcher.client, room)).includes(comerName), {
        timeoutMs: 10_000,
      }).then(
        () => 'present',
        () => 'never present',
      ),
    ]);
    expect({ message: outcome[0], presence: outcome[1] }, 'on node B').toEqual({
      message: 'delivered',
      presence: 'present',
    });
  }, 120_000);
});
