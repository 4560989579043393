/**
 * Direct messages and blocks across nodes: engines on one store joined by the in-process bus. A DM opened by
 * both sides at once on two nodes is one room; a block made on one node filters the blocker's sessions on the
 * other.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { connect, engineCluster } from '../helpers/engineCluster.js';
import { waitFor } from '../helpers/wait.js';

const nodes = engineCluster();
const cluster = (count: number) => nodes.start(count);

describe('direct messages across nodes', () => {
  it('[proto.dms.open] a DM opened by both sides at once on two nodes is one room', async () => {
    const [a, b] = (await cluster(2)) as [Engine, Engine];
    const alice = await connect(a, 'alice');
    const bob = await connect(b, 'bob');
    const opened = await Promise.all([
      alice.session.openDm('bob'),
      bob.session.openDm('alice'),
      alice.session.openDm('bob'),
      bob.session.openDm('alice'),
    ]);
    expect(new Set(opened.map((r) => r.id)).size).toBe(1);
    const rooms = (await a.listRooms(1)).filter((r) => r.dm === true);
    expect(rooms).toHaveLength(1);
    // Each side heard of the new room once.
    await waitFor(
      () => alice.sink.of('room_created').length === 1 && bob.sink.of('room_created').length === 1,
    );
  });

  it("[proto.dms.block] a block made on one node filters the blocker's sessions on another", async () => {
    const [a, b] = (await cluster(2)) as [Engine, Engine];
    const bobHere = await connect(a, 'bob');
    const bobThere = await connect(b, 'bob');
    const carol = await connect(a, 'carol');
    for (const s of [bobHere, bobThere, carol]) await s.session.join('lobby');
    await bobHere.session.block('carol');
    await waitFor(() => bobThere.sink.of('block_changed').length === 1);
    await carol.session.send('lobby', { text: 'hidden' });
    await carol.session.send('lobby', { text: 'seen by carol' });
    await waitFor(() => carol.sink.of('message').length === 2);
    await bobThere.session.unblock('carol');
    await waitFor(() => bobHere.sink.of('block_changed').length === 2);
    await carol.session.send('lobby', { text: 'visible' });
    for (const bob of [bobHere, bobThere]) {
      await waitFor(() => bob.sink.of('message').length === 1);
      expect(bob.sink.of('message').map((e) => e.message.text)).toEqual(['visible']);
    }
  });

  it('[proto.dms.notice] a DM written on one node is told to the other member on another node', async () => {
    const [a, b] = (await cluster(2)) as [Engine, Engine];
    const alice = await connect(a, 'alice');
    const bob = await connect(b, 'bob');
    await bob.session.join('lobby');
    const dm = await alice.session.openDm('bob');
    await alice.session.join(dm.name);
    await alice.session.send(dm.name, { text: 'across the cluster' });
    await waitFor(() => bob.sink.of('dm_message').length === 1);
    expect(bob.sink.of('dm_message')[0]).toMatchObject({
      room: { id: dm.id },
      message: { text: 'across the cluster', author: { username: 'alice' } },
    });
    expect(alice.sink.of('dm_message')).toHaveLength(0);
  });
});
