/**
 * Webhooks in a cluster (docs/webhooks.md, "Cluster behaviour"): two nodes on PostgreSQL and Redis share the
 * outbox; each delivery is claimed by one node. One node is killed with SIGKILL while deliveries are in flight
 * (the receiver answers slowly); its claims run out and the other node sends them. On the receiving end every
 * event arrives at least once, and only the killed node's in-flight ones may arrive twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminApi,
  clusterServicesAvailable,
  createRoom,
  NO_FLOOD,
  startCluster,
  unique,
  type Cluster,
  type ClusterNode,
} from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait.js';
import { startReceiver, type Receiver } from '../webhooks/receiver.js';

const available = await clusterServicesAvailable('test/cluster/webhooks');
const SECRET = 'cluster-webhook-secret-0123456789';
const ROOMS = 4;
const PER_ROOM = 25;

describe.skipIf(!available)('cluster: webhooks', () => {
  let cluster: Cluster;
  let A: ClusterNode;
  let B: ClusterNode;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver(SECRET);
    receiver.answer = () => ({ slowMs: 100, status: 200 });
    cluster = await startCluster({
      nodes: 2,
      env: {
        // A try that times out is tried again, and the receiver may have had it: under a loaded machine a 1 s
        // timeout let a live node's delivery repeat, which this test would rightly count against the killed one.
        PARLEY_WEBHOOK_TIMEOUT_MS: '4000',
        PARLEY_WEBHOOK_LEASE_MS: '8000',
        PARLEY_WEBHOOK_POLL_MS: '50',
        PARLEY_WEBHOOK_RETRY_BASE_MS: '50',
      },
    });
    [A, B] = cluster.nodes as [ClusterNode, ClusterNode];
    await adminApi(A, 'PATCH', '/api/v1/apps/1', { settings: NO_FLOOD });
  }, 240_000);
  afterAll(async () => {
    await cluster?.close();
    await receiver?.close();
  });

  it('[cluster.webhooks.sigkill] a node killed mid-delivery loses no event; only its in-flight ones repeat', async () => {
    await adminApi(A, 'POST', '/api/v1/apps/1/webhooks', {
      url: receiver.url,
      secret: SECRET,
      events: ['message.created'],
    });
    const nodeIds = await Promise.all(
      [A, B].map(async (n) => (await adminApi<{ node: string }>(n, 'GET', '/api/v1/admin/stats')).node),
    );
    const rooms = await Promise.all(Array.from({ length: ROOMS }, () => createRoom(A, unique('hooks'))));
    const messageIds = new Set<number>();
    for (let i = 0; i < PER_ROOM; i++) {
      const sent = await Promise.all(
        rooms.map((room, r) =>
          adminApi<{ message: { id: number } }>(
            (i + r) % 2 === 0 ? A : B,
            'POST',
            `/api/v1/apps/1/rooms/${room.name}/messages`,
            {
              username: `author${r}`,
              text: `m${i}`,
            },
          ),
        ),
      );
      for (const s of sent) messageIds.add(s.message.id);
    }
    const open = "status IN ('pending', 'failed-retrying')";
    // Kill a node while it holds claims on deliveries in flight to the slow receiver. Which node that is, is
    // up to the claims: a node that delivered a room's event usually claims the room's next one first.
    let victim = -1;
    await waitFor(
      async () => {
        const { rows } = await cluster.db.query<{ claimed_by: string }>(
          'SELECT claimed_by FROM webhook_deliveries WHERE claimed_by IS NOT NULL AND ' + open,
        );
        victim = nodeIds.findIndex((id) => rows.some((r) => r.claimed_by === id));
        return victim >= 0 && receiver.received.length >= 10;
      },
      { timeoutMs: 30_000, intervalMs: 5, label: 'a node delivering' },
    );
    await [A, B][victim]?.kill('SIGKILL');
    const { rows: held } = await cluster.db.query<{ event_id: string }>(
      `SELECT event_id FROM webhook_deliveries WHERE claimed_by = $1 AND ${open}`,
      [nodeIds[victim]],
    );
    const inFlight = new Set(held.map((r) => r.event_id));
    expect(inFlight.size).toBeGreaterThan(0);

    const idOf = (r: Receiver['received'][number]) => (r.body.data.message as { id: number }).id;
    await waitFor(() => new Set(receiver.received.map(idOf)).size === messageIds.size, {
      timeoutMs: 60_000,
      label: `all ${messageIds.size} events at the receiver`,
    });
    await waitFor(
      async () => {
        const { rows } = await cluster.db.query(`SELECT 1 FROM webhook_deliveries WHERE ${open}`);
        return rows.length === 0;
      },
      { timeoutMs: 30_000, label: 'the outbox drained' },
    );
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect(new Set(receiver.received.map(idOf))).toEqual(messageIds);
    const counts = new Map<string, number>();
    for (const r of receiver.received) counts.set(r.eventId, (counts.get(r.eventId) ?? 0) + 1);
    const repeated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    for (const id of repeated)
      expect(inFlight.has(id), `event ${id} repeated though the killed node did not hold it`).toBe(true);
    expect(counts.size).toBe(messageIds.size);
    console.info(
      `[cluster.webhooks.sigkill] ${messageIds.size} events, ${inFlight.size} held by the killed node, ${repeated.length} delivered twice`,
    );
  }, 180_000);
});
