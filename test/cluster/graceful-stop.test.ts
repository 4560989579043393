/**
 * A node stopped on purpose (SIGTERM) tells the others before it exits: its users' presence is gone from
 * the other nodes within a second of the stop, not after the heartbeat bound. The heartbeat here is 10 s, so
 * that only the announcement can explain a leave seen that soon.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  clusterServicesAvailable,
  ClusterClients,
  createRoom,
  startCluster,
  tokenFor,
  unique,
  waitForMesh,
  type Cluster,
  type ClusterNode,
} from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait.js';
import { record } from './drivers.js';

const available = await clusterServicesAvailable('test/cluster/graceful-stop');

describe.skipIf(!available)('cluster: a node stopping gracefully', () => {
  let cluster: Cluster;
  let A: ClusterNode;
  let B: ClusterNode;
  let C: ClusterNode;
  const clients = new ClusterClients();

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 3, env: { PARLEY_CLUSTER_HEARTBEAT_MS: '10000' } });
    [A, B, C] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
    await waitForMesh(cluster);
  }, 240_000);
  afterEach(() => clients.closeAll());
  afterAll(async () => {
    clients.closeAll();
    await cluster?.close();
  });

  it('[cluster.node.leaving] after SIGTERM on one of three nodes, the other two drop its users within 1 s', async () => {
    const room = unique('bye');
    await createRoom(A, room);
    const leaverName = unique('leaver');
    const observers = await Promise.all(
      [A, B].map(async (node) => {
        const client = clients.native(
          node,
          'ws',
          { token: await tokenFor(node, unique('obs')) },
          { reconnect: false },
        );
        await client.connect();
        await client.watchOnline();
        await client.join(room);
        return {
          node,
          client,
          leaves: record(client, 'presence_leave'),
          offline: record(client, 'user_offline'),
        };
      }),
    );
    const leaver = clients.native(C, 'ws', { token: await tokenFor(C, leaverName) }, { reconnect: false });
    await leaver.connect();
    await leaver.join(room);
    for (const { node, client } of observers) {
      await waitFor(async () => (await client.members(room)).some((m) => m.username === leaverName), {
        timeoutMs: 30_000,
        label: `the leaver present on node ${node.name}`,
      });
    }

    const stoppedAt = Date.now();
    const gone = Promise.all(
      observers.flatMap(({ node, leaves, offline }) => [
        leaves.next(
          (e) => e.user.username === leaverName && e.room.name === room,
          `presence_leave on ${node.name}`,
        ),
        offline.next((e) => e.user.username === leaverName, `user_offline on ${node.name}`),
      ]),
    ).then(() => Date.now() - stoppedAt);
    await C.kill('SIGTERM');
    const took = await gone;
    expect(C.process.child.exitCode, 'the node stopped cleanly').toBe(0);
    expect(took, 'ms from SIGTERM to the leave on both other nodes').toBeLessThan(1000);
  }, 120_000);
});
