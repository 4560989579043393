/**
 * Reactions across a real cluster: two server processes on one PostgreSQL schema and one Redis, a typed
 * client on each node (one per framing). A reaction made on one node is told to the other node's client
 * (through the bus, whose schema every node checks), counts read on either node agree, and the app's bound on
 * distinct emoji holds when both nodes add new emoji at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminApi,
  ClusterClients,
  clusterServicesAvailable,
  createRoom,
  startCluster,
  tokenFor,
  unique,
  waitForMesh,
  type Cluster,
  type ClusterNode,
} from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait.js';

const available = await clusterServicesAvailable('test/cluster/reactions');

describe.skipIf(!available)('[cluster.reactions] reactions on a PostgreSQL + Redis cluster', () => {
  let cluster: Cluster;
  const clients = new ClusterClients();

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
    await waitForMesh(cluster);
  }, 120_000);
  afterAll(async () => {
    clients.closeAll();
    await cluster?.close();
  });

  it('tells the other node, agrees on counts, and holds maxReactionEmoji across nodes', async () => {
    const [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
    const room = unique('react');
    await createRoom(a, room);
    const alice = clients.native(a, 'ws', { token: await tokenFor(a, unique('alice')) });
    const bob = clients.native(b, 'socket.io', { token: await tokenFor(b, unique('bob')) });
    await alice.connect();
    await bob.connect();
    await alice.join(room);
    await bob.join(room);
    const sent = await bob.send(room, 'across nodes');
    if (sent.kind !== 'message') throw new Error('not a message');
    const id = sent.message.id;

    const seenOnB = new Promise<unknown>((resolve) => bob.once('reaction_changed', resolve));
    expect(await alice.react(room, id, '👍')).toMatchObject({ count: 1, changed: true });
    expect(await seenOnB).toMatchObject({ messageId: id, emoji: '👍', count: 1, added: true });
    expect(await bob.react(room, id, '👍')).toMatchObject({ count: 2, changed: true });
    const onB = (await bob.history(room)).messages.find((m) => m.id === id);
    const onA = (await alice.history(room)).messages.find((m) => m.id === id);
    expect(onB?.reactions).toEqual([{ emoji: '👍', count: 2, me: true }]);
    expect(onA?.reactions).toEqual([{ emoji: '👍', count: 2, me: true }]);

    // The bound, set on one node, holds for new emoji added on both at once: 👍 and one more.
    await adminApi(a, 'PATCH', '/api/v1/apps/1', { settings: { maxReactionEmoji: 2 } });
    // Node B forgets its cached settings when it hears the change on the bus.
    await waitFor(
      async () => {
        const app = await adminApi<{ settings: { maxReactionEmoji: number } }>(b, 'GET', '/api/v1/apps/1');
        return app.settings.maxReactionEmoji === 2;
      },
      { intervalMs: 50 },
    );
    const outcomes = await Promise.allSettled([
      alice.react(room, id, '🎉'),
      bob.react(room, id, '🚀'),
      alice.react(room, id, '🔥'),
      bob.react(room, id, '👀'),
    ]);
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of refused) expect((o.reason as { code: string }).code).toBe('too_many_reactions');
    const after = (await bob.history(room)).messages.find((m) => m.id === id);
    expect(after?.reactions).toHaveLength(2);
  }, 60_000);
});
