/**
 * Replies and pins across two `parley serve` processes on one PostgreSQL schema and one Redis: a pin made on one
 * node reaches the room's members on the other, and a reply written on one node reaches the other with its
 * quote, while the parent's reply count, kept by the store, reads the same on both (docs/protocol.md,
 * [proto.replies] and [proto.pins]).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MessageView, SendResult } from '../../src/client/index.js';
import {
  clusterServicesAvailable,
  ClusterClients,
  createRoom,
  NO_FLOOD,
  adminApi,
  startCluster,
  tokenFor,
  unique,
  waitForMesh,
  type Cluster,
  type ClusterNode,
} from '../helpers/cluster.js';
import { record, WAIT_MS } from './drivers.js';
import { waitFor } from '../helpers/wait.js';

const available = await clusterServicesAvailable('test/cluster/replies');

function sentMessage(result: SendResult): MessageView {
  if (result.kind !== 'message') throw new Error(`expected a message, got ${result.kind}`);
  return result.message;
}

describe.skipIf(!available)('cluster: replies and pins across nodes', () => {
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

  it('[cluster.pins] a pin and a reply on one node reach the other; the count is one', async () => {
    const room = unique('pins');
    await createRoom(A, room);
    const mod = clients.native(
      A,
      'ws',
      { token: await tokenFor(A, unique('mod'), 'mod') },
      { reconnect: false },
    );
    const member = clients.native(
      B,
      'socket.io',
      { token: await tokenFor(B, unique('mem')) },
      { reconnect: false },
    );
    await mod.connect();
    await member.connect();
    await mod.join(room);
    await member.join(room);

    const parent = sentMessage(await member.send(room, 'worth a pin'));
    const pinned = record(member, 'message_pinned');
    await mod.pin(room, parent.id);
    await waitFor(() => pinned.items.length === 1, { timeoutMs: WAIT_MS, label: 'the pin to reach node B' });
    expect(pinned.items[0]).toMatchObject({ message: { id: parent.id }, by: { role: 'mod' } });
    expect((await member.pins(room)).map((p) => p.message.id)).toEqual([parent.id]);

    const heard = record(mod, 'message');
    const reply = sentMessage(await member.send(room, 'an answer', { replyTo: parent.id }));
    await waitFor(() => heard.items.some((e) => e.message.id === reply.id), {
      timeoutMs: WAIT_MS,
      label: 'the reply to reach node A',
    });
    const seen = heard.items.find((e) => e.message.id === reply.id);
    expect(seen?.message.replyTo).toMatchObject({ id: parent.id, excerpt: 'worth a pin', deleted: false });
    for (const client of [mod, member]) {
      const page = await client.replies(room, parent.id);
      expect(page.messages.map((m) => m.id)).toEqual([reply.id]);
      const history = await client.history(room);
      expect(history.messages.find((m) => m.id === parent.id)?.replyCount).toBe(1);
    }

    const unpinned = record(member, 'message_unpinned');
    await mod.unpin(room, parent.id);
    await waitFor(() => unpinned.items.length === 1, {
      timeoutMs: WAIT_MS,
      label: 'the unpin to reach node B',
    });
    expect(await member.pins(room)).toEqual([]);
  });
});
