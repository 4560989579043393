/**
 * Direct messages and blocks on two `parley serve` processes sharing one PostgreSQL schema and one Redis: a DM
 * opened by both sides at once on different nodes is one room, and a block made on one node filters the
 * blocker's connection on the other (docs/protocol.md, [proto.dms]).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MessageView, ParleyClient, TransportKind } from '../../src/client/index.js';
import {
  adminApi,
  clusterServicesAvailable,
  ClusterClients,
  NO_FLOOD,
  startCluster,
  tokenFor,
  unique,
  waitForMesh,
  type Cluster,
  type ClusterNode,
} from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait.js';
import { WAIT_MS } from './drivers.js';

const available = await clusterServicesAvailable('test/cluster/dms');

describe.skipIf(!available)('cluster: direct messages and blocks across nodes', () => {
  let cluster: Cluster;
  let A: ClusterNode;
  let B: ClusterNode;
  const clients = new ClusterClients();

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
    [A, B] = cluster.nodes as [ClusterNode, ClusterNode];
    await adminApi(A, 'PATCH', '/api/v1/apps/1', { settings: NO_FLOOD });
    await waitForMesh(cluster);
  }, 240_000);
  afterEach(() => clients.closeAll());
  afterAll(async () => {
    clients.closeAll();
    await cluster?.close();
  });

  async function native(
    node: ClusterNode,
    transport: TransportKind,
    username: string,
  ): Promise<ParleyClient> {
    const client = clients.native(
      node,
      transport,
      { token: await tokenFor(node, username) },
      { reconnect: false },
    );
    await client.connect();
    return client;
  }

  it('[proto.dms.open] both sides opening at once on two nodes get one room', async () => {
    const [alice, bob] = [unique('al'), unique('bo')];
    const onA = await native(A, 'ws', alice);
    const onB = await native(B, 'socket.io', bob);
    const rooms = await Promise.all([onA.openDm(bob), onB.openDm(alice), onA.openDm(bob), onB.openDm(alice)]);
    expect(new Set(rooms.map((r) => r.id)).size).toBe(1);
    const { rows } = await cluster.db.query<{ n: string }>('SELECT count(*) AS n FROM dm_pairs');
    expect(Number(rows[0]?.n)).toBeGreaterThanOrEqual(1);
    const room = rooms[0]?.name ?? '';
    const { rows: named } = await cluster.db.query<{ n: string }>(
      'SELECT count(*) AS n FROM rooms WHERE name = $1',
      [room],
    );
    expect(Number(named[0]?.n)).toBe(1);
  });

  it('[proto.dms.block] a block made on one node hides the blocked author on the other', async () => {
    const [bob, carol] = [unique('bo'), unique('ca')];
    const bobOnA = await native(A, 'ws', bob);
    const bobOnB = await native(B, 'socket.io', bob);
    const carolOnA = await native(A, 'ws', carol);
    const room = unique('blk');
    await adminApi(A, 'POST', '/api/v1/apps/1/rooms', { name: room });
    for (const c of [bobOnA, bobOnB, carolOnA]) await c.join(room);
    const changed: boolean[] = [];
    bobOnB.on('block_changed', (e) => changed.push(e.blocked));
    const seen: MessageView[] = [];
    bobOnB.on('message', (e) => seen.push(e.message));
    await bobOnA.block(carol);
    await waitFor(() => changed.length === 1, { timeoutMs: WAIT_MS });
    await carolOnA.send(room, 'hidden');
    await bobOnA.unblock(carol);
    await waitFor(() => changed.length === 2, { timeoutMs: WAIT_MS });
    await carolOnA.send(room, 'shown');
    await waitFor(() => seen.length >= 1, { timeoutMs: WAIT_MS });
    expect(seen.map((m) => m.text)).toEqual(['shown']);
  });
});
