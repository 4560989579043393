/**
 * Mentions and read state across two real nodes (PostgreSQL and Redis): the `mention` event reaches a user
 * connected to the other node, `read` on one node reaches the same user's connection on the other, and the
 * marker, once written (within a second), is what the other node counts with.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/client/index.js';
import {
  adminApi,
  ClusterClients,
  clusterServicesAvailable,
  createRoom,
  NO_FLOOD,
  startCluster,
  tokenFor,
  unique,
  waitForMesh,
  type Cluster,
  type ClusterNode,
} from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait.js';
import { events } from '../native/helpers.js';

const available = await clusterServicesAvailable('test/cluster/read-state');

describe.skipIf(!available)('cluster: mentions and read state across nodes', () => {
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

  async function native(node: ClusterNode, token: string): Promise<ParleyClient> {
    const client = clients.native(node, 'ws', { token });
    await client.connect();
    return client;
  }

  it('[cluster.mentions] a mention and a read reach the user on the other node', async () => {
    const room = unique('reads');
    await createRoom(A, room);
    const annName = unique('ann');
    const bobName = unique('bob');
    const ann = await native(A, await tokenFor(A, annName));
    const bobToken = await tokenFor(A, bobName);
    const bobOnB = await native(B, bobToken);
    const mentions = events(bobOnB, 'mention');
    await ann.join(room);
    // bob is online (on B) and not in the room: the mention crosses the bus.
    await waitFor(async () => {
      const { online } = await adminApi<{ online: { user: { username: string } }[] }>(
        A,
        'GET',
        '/api/v1/apps/1/online',
      );
      return online.some((entry) => entry.user.username === bobName);
    });
    const sent = await ann.send(room, `hello @${bobName}`);
    if (sent.kind !== 'message') throw new Error('expected a message');
    expect(sent.message.mentions.map((u) => u.username)).toEqual([bobName]);
    expect(await mentions.next()).toMatchObject({ messageId: sent.message.id, room: { name: room } });

    // bob reads on A; his connection on B hears it, and B counts with the marker once it is written.
    const bobOnA = await native(A, bobToken);
    await bobOnA.join(room);
    await ann.send(room, 'one more');
    const reads = events(bobOnB, 'read');
    const result = await bobOnA.read(room, 1_000);
    expect(result).toMatchObject({ room, unread: 0, unreadMentions: 0 });
    expect(await reads.next()).toMatchObject({ room: { name: room }, seq: result.seq });
    await waitFor(async () => {
      const unread = await adminApi<{ rooms: { room: string; seq: number }[] }>(
        B,
        'GET',
        `/api/v1/apps/1/users/${bobName}/unread`,
      );
      return unread.rooms.find((r) => r.room === room)?.seq === result.seq;
    });
  }, 60_000);
});
