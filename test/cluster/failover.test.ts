/**
 * Failures of PostgreSQL and of a node (docs/deploy.md, "What happens when something fails"):
 *
 * - PostgreSQL unreachable (the proxy in front of it cut): no false acknowledgement — a send either fails with
 *   `unavailable` or is really stored — connected clients stay connected, and sends work again once it is back.
 * - A node killed with SIGKILL: its clients reconnect through the load balancer to another node and resume
 *   without loss or duplicates, and the other nodes drop the dead node's presence within the documented bound.
 *
 * Only the test's own proxy and node processes are broken, never the machine's shared PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient, SendResult, TransportKind } from '../../src/client/index.js';
import {
  adminApi,
  clusterServicesAvailable,
  ClusterClients,
  createRoom,
  fullHistory,
  NO_FLOOD,
  NODE_GONE_BOUND_MS,
  startCluster,
  tokenFor,
  unique,
  waitForMesh,
  type Cluster,
  type ClusterNode,
} from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait.js';
import { range, rawSend, RawNative, record, seqsOf, SendStream, type Rec } from './drivers.js';

const available = await clusterServicesAvailable('test/cluster/failover');

describe.skipIf(!available)('cluster: PostgreSQL and node failures', () => {
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
  afterEach(() => {
    cluster?.pg.restore();
    clients.closeAll();
  });
  afterAll(async () => {
    clients.closeAll();
    await cluster?.close();
  });

  async function rawUser(node: ClusterNode, room: string): Promise<RawNative> {
    const conn = await RawNative.open(clients, node.url);
    await conn.call('auth', { token: await tokenFor(node, unique('raw')) });
    await conn.call('join', { room });
    return conn;
  }

  const readyStatus = async (node: ClusterNode) => (await fetch(`${node.url}/readyz`)).status;

  it('[cluster.pg.outage] no false acknowledgement while PostgreSQL is unreachable, and recovery after', async () => {
    const room = unique('outage');
    await createRoom(A, room);
    const publisher = await rawUser(A, room);
    const onB = await rawUser(B, room);
    const onC = await rawUser(C, room);

    // Three outages in one stream of sends: at whatever moment, right after a COMMIT reached the server (it
    // commits, the node never hears so), and with a COMMIT held back (the server rolls back).
    const outages: { name: string; cut: () => Promise<void> | void }[] = [
      { name: 'a cut at a random moment', cut: () => cluster.pg.cut() },
      {
        name: 'a cut right after a COMMIT reached PostgreSQL',
        cut: () => cluster.pg.cutAt('COMMIT', 'after'),
      },
      { name: 'a cut that withholds a COMMIT', cut: () => cluster.pg.cutAt('COMMIT', 'before') },
    ];
    const firstFailures: string[] = [];
    const stream = new SendStream(unique('o'), (text, id) => rawSend(publisher, room, text, id), {
      retry: false,
    });
    stream.start();
    try {
      await stream.waitForAcked(20, 'traffic before the outages');
      for (const outage of outages) {
        const failuresBefore = stream.failures.length;
        await outage.cut();
        const ackedAtCut = stream.acked.length;
        await stream.waitForFailures(failuresBefore + 10, `sends failing during ${outage.name}`);
        await waitFor(async () => (await readyStatus(A)) === 503, {
          timeoutMs: 30_000,
          label: `/readyz 503 during ${outage.name}`,
        });
        const failed = stream.failures.slice(failuresBefore);
        firstFailures.push(failed[0]?.clientMsgId ?? '');
        expect(new Set(failed.map((f) => f.code)), `error codes during ${outage.name}`).toEqual(
          new Set(['unavailable']),
        );
        // At most the one send already past the database when it went can have been acknowledged.
        expect(stream.acked.length - ackedAtCut, `acknowledged during ${outage.name}`).toBeLessThanOrEqual(1);
        // Connected clients stay connected.
        for (const conn of [publisher, onB, onC]) expect(conn.conn.ws.readyState).toBe(conn.conn.ws.OPEN);

        cluster.pg.restore();
        const acked = stream.acked.length;
        await stream.waitForAcked(acked + 15, `sends succeeding again after ${outage.name}`);
        await waitFor(async () => (await readyStatus(A)) === 200, {
          timeoutMs: 30_000,
          label: `/readyz 200 after ${outage.name}`,
        });
      }
    } finally {
      cluster.pg.restore();
      await stream.stop();
    }

    // Every acknowledged send is stored, with the seq and id it was acknowledged with; seqs stay gapless.
    const stored = await fullHistory(B, room);
    const byClientId = new Map(stored.map((m) => [m.clientMsgId, m]));
    for (const ack of stream.acked) {
      expect(byClientId.get(ack.clientMsgId), `acknowledged ${ack.clientMsgId}`).toMatchObject({
        seq: ack.seq,
        id: ack.id,
        text: ack.text,
      });
    }
    expect(seqsOf(stored as unknown as Rec[])).toEqual(range(1, stored.length));
    expect(new Set(stored.map((m) => m.clientMsgId)).size).toBe(stored.length);
    // The send whose COMMIT got through failed (its node could not know) but is stored; the one whose COMMIT
    // was withheld is not.
    expect(
      byClientId.has(firstFailures[1] ?? ''),
      "the send committed behind its node's back is stored",
    ).toBe(true);
    expect(byClientId.has(firstFailures[2] ?? ''), 'the send whose COMMIT never arrived is not stored').toBe(
      false,
    );

    // A failed send retried with its clientMsgId is stored once: new if it was not, the original if it was.
    for (const failure of stream.failures) {
      const outcome = await rawSend(publisher, room, failure.text, failure.clientMsgId);
      expect(outcome, `retry of ${failure.clientMsgId}`).toMatchObject({ ok: true });
      const earlier = byClientId.get(failure.clientMsgId);
      if (earlier)
        expect(outcome, `retry of ${failure.clientMsgId}`).toMatchObject({
          seq: earlier.seq,
          duplicate: true,
        });
    }
    const after = await fullHistory(B, room);
    expect(seqsOf(after as unknown as Rec[])).toEqual(range(1, after.length));
    expect(new Set(after.map((m) => m.clientMsgId)).size).toBe(after.length);
    expect(after.length).toBe(stream.acked.length + stream.failures.length);

    // The other nodes delivered exactly what was stored, in order, the unacknowledged commit included.
    for (const [name, conn] of [
      ['B', onB],
      ['C', onC],
    ] as const) {
      await waitFor(() => conn.messages(room).length >= after.length, {
        timeoutMs: 30_000,
        label: `node ${name}'s subscriber to get all ${after.length} messages (has ${conn.messages(room).length})`,
      });
      expect(seqsOf(conn.messages(room)), `seqs on node ${name}`).toEqual(range(1, after.length));
      expect(conn.messages(room).map((m) => m.text)).toEqual(after.map((m) => m.text));
    }
  }, 180_000);

  it('[cluster.node.sigkill] clients of a killed node resume on another node without loss or duplicates; its presence is dropped in time', async () => {
    const room = unique('crash');
    await createRoom(B, room);
    let ghostName = '';

    // Observers on B and C, straight to their nodes.
    const observers = await Promise.all(
      [B, C].map(async (node) => {
        const client = clients.native(
          node,
          'ws',
          { token: await tokenFor(node, unique('obs')) },
          { reconnect: false },
        );
        await client.connect();
        await client.watchOnline();
        await client.join(room);
        const observer = {
          node,
          client,
          leaves: record(client, 'presence_leave'),
          offline: record(client, 'user_offline'),
          /** When the ghost's presence_leave arrived. */
          ghostLeftAt: 0,
        };
        client.on('presence_leave', (e) => {
          if (e.user.username === ghostName && e.room.name === room) observer.ghostLeftAt = Date.now();
        });
        return observer;
      }),
    );

    // Everyone who comes in through the balancer now lands on node A.
    cluster.lb.setEnabled(1, false);
    cluster.lb.setEnabled(2, false);
    const victims: { client: ParleyClient; transport: TransportKind }[] = [];
    try {
      for (const transport of ['ws', 'socket.io'] as const) {
        const client = clients.native(
          cluster.lb,
          transport,
          { token: await tokenFor(A, unique('victim')) },
          { reconnectDelayMs: 100, maxReconnectDelayMs: 1000, requestTimeoutMs: 30_000 },
        );
        await client.connect();
        await client.join(room);
        victims.push({ client, transport });
      }
      // A user present through node A only, who does not come back.
      ghostName = unique('ghost');
      const ghost = clients.native(
        cluster.lb,
        'ws',
        { token: await tokenFor(A, ghostName) },
        { reconnect: false },
      );
      await ghost.connect();
      await ghost.join(room);
      expect(cluster.lb.connectionsTo(0)).toBe(3);
    } finally {
      cluster.lb.setEnabled(1, true);
      cluster.lb.setEnabled(2, true);
    }
    for (const observer of observers) {
      await waitFor(async () => (await observer.client.members(room)).some((m) => m.username === ghostName), {
        timeoutMs: 30_000,
        label: `the ghost present on node ${observer.node.name}`,
      });
    }

    const received = victims.map(({ client }) => {
      const counts = new Map<number, number>();
      client.on('message', ({ room: r, message }) => {
        if (r.name === room) counts.set(message.seq, (counts.get(message.seq) ?? 0) + 1);
      });
      return counts;
    });
    const reconnected = victims.map(({ client }) => record(client, 'reconnected'));

    // Traffic from a publisher on node B, and from the victims themselves (their sends in flight when node A
    // dies are sent again after the reconnect with the same clientMsgId).
    const publisher = await rawUser(B, room);
    const stream = new SendStream(unique('k'), (text, id) => rawSend(publisher, room, text, id), {
      retry: true,
    });
    const victimSends: { promise: Promise<SendResult>; clientMsgId: string }[] = [];
    let victimsSending = true;
    const victimLoops = victims.map(async ({ client }, i) => {
      for (let n = 0; victimsSending && client.state !== 'closed'; n++) {
        const clientMsgId = `v${i}-${n}-${unique('')}`;
        const promise = client.send(room, `victim ${i} message ${n}`, { clientMsgId });
        victimSends.push({ promise, clientMsgId });
        await promise.catch(() => {});
      }
    });
    stream.start();
    let goneAfterMs: number[] = [];
    try {
      await stream.waitForAcked(20, 'traffic before the kill');
      await waitFor(() => victimSends.length >= 10, { timeoutMs: 30_000, label: 'victims sending' });

      const killedAt = Date.now();
      const gone = Promise.all(
        observers.map(async (observer) => {
          await observer.leaves.next(
            (e) => e.user.username === ghostName && e.room.name === room,
            `the ghost's presence_leave on node ${observer.node.name}`,
            30_000,
          );
          const leftAfter = observer.ghostLeftAt - killedAt;
          await observer.offline.next(
            (e) => e.user.username === ghostName,
            `the ghost's user_offline on node ${observer.node.name}`,
            30_000,
          );
          return leftAfter;
        }),
      );
      await A.kill('SIGKILL');
      goneAfterMs = await gone;

      for (const recording of reconnected) await recording.next(() => true, 'a victim reconnecting', 60_000);
      expect(cluster.lb.connectionsTo(0)).toBe(0);
      const atReconnect = stream.acked.length;
      const sentAtReconnect = victimSends.length;
      await stream.waitForAcked(atReconnect + 20, 'traffic after the reconnect');
      await waitFor(() => victimSends.length >= sentAtReconnect + 10, {
        timeoutMs: 30_000,
        label: 'victims sending after the reconnect',
      });
    } finally {
      victimsSending = false;
      await stream.stop();
      await Promise.all(victimLoops);
    }

    // Every send of the victims was acknowledged once (retried across the crash where it had to be).
    const victimResults = await Promise.allSettled(victimSends.map((s) => s.promise));
    const rejected = victimResults.filter((r) => r.status === 'rejected');
    expect(rejected, 'victim sends that failed').toEqual([]);

    const stored = await fullHistory(B, room);
    const last = stored.length;
    expect(seqsOf(stored as unknown as Rec[])).toEqual(range(1, last));
    expect(new Set(stored.map((m) => m.clientMsgId)).size).toBe(last);
    const storedIds = new Set(stored.map((m) => m.clientMsgId));
    for (const send of victimSends) expect(storedIds.has(send.clientMsgId), send.clientMsgId).toBe(true);
    for (const ack of stream.acked) expect(storedIds.has(ack.clientMsgId), ack.clientMsgId).toBe(true);
    expect(last).toBe(stream.acked.length + victimSends.length);

    // Each victim got every message of the room once (counted by seq), whether live or replayed on resume.
    for (const [i, counts] of received.entries()) {
      await waitFor(() => counts.size >= last, {
        timeoutMs: 30_000,
        label: `victim ${i} (${victims[i]?.transport}) to have all ${last} messages (has ${counts.size})`,
      });
      expect([...counts.keys()].sort((a, b) => a - b)).toEqual(range(1, last));
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
    }

    // The dead node's presence is dropped by the others within 3 × heartbeat + grace.
    console.info(`[cluster.node.sigkill] the ghost left ${goneAfterMs.join(' ms, ')} ms after the SIGKILL`);
    for (const ms of goneAfterMs) {
      expect(
        ms,
        "ms from the SIGKILL to the ghost's presence_leave (bound: 3 × heartbeat + grace)",
      ).toBeLessThanOrEqual(NODE_GONE_BOUND_MS);
    }
    for (const observer of observers) {
      expect((await observer.client.members(room)).map((m) => m.username)).not.toContain(ghostName);
    }
  }, 180_000);
});
