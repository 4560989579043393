/**
 * Profiles across nodes: engines on one store joined by the in-process bus. A profile set on one node is
 * carried by the user's sessions on another (what they send from then on), shows in presence there, and is
 * told there as `profile_changed` to the user's own sessions and to the rooms where the user is.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { connect, engineCluster } from '../helpers/engineCluster.js';
import { waitFor } from '../helpers/wait.js';

const nodes = engineCluster();
const cluster = (count: number) => nodes.start(count);

const AVATAR = 'https://cdn.example.com/alice.png';

describe('profiles across nodes', () => {
  it('[proto.profile.cluster] a profile set on node A shows on node B: author refs, presence, profile_changed', async () => {
    const [a, b] = (await cluster(2)) as [Engine, Engine];
    const aliceHere = await connect(a, 'alice');
    const aliceThere = await connect(b, 'alice');
    const bob = await connect(b, 'bob');
    const carol = await connect(b, 'carol'); // in no room with alice: hears nothing
    for (const s of [aliceHere, aliceThere, bob]) await s.session.join('lobby');
    await waitFor(() => bob.session.members('lobby').then((m) => m.online.length === 2));

    const me = await aliceHere.session.setProfile({ displayName: 'Alice', avatarUrl: AVATAR });
    expect(me).toMatchObject({ username: 'alice', displayName: 'Alice', avatarUrl: AVATAR });
    await waitFor(() => bob.sink.of('profile_changed').length === 1);
    expect(bob.sink.of('profile_changed')[0]?.user).toEqual(me);
    // Alice's own session on B hears it once, though it is also in the room.
    await waitFor(() => aliceThere.sink.of('profile_changed').length === 1);
    expect(aliceHere.sink.of('profile_changed')).toHaveLength(1);
    expect(carol.sink.of('profile_changed')).toHaveLength(0);

    // What alice sends from node B carries it, live on both nodes and in history.
    await aliceThere.session.send('lobby', { text: 'from B' });
    await waitFor(() => bob.sink.of('message').length === 1);
    expect(bob.sink.of('message')[0]?.message.author).toEqual(me);
    await waitFor(() => aliceHere.sink.of('message').length === 1);
    expect(aliceHere.sink.of('message')[0]?.message.author).toEqual(me);
    const history = await bob.session.history('lobby', {});
    expect(history.messages.at(-1)?.author).toEqual(me);
    // Members as node B sees them.
    const members = await bob.session.members('lobby');
    expect(members.online.find((u) => u.username === 'alice')).toEqual(me);
  });
});
