/**
 * A guest's upgrade across nodes (upgrade.ts): engines on one store joined by the in-process bus. The room on
 * another node hears one `user_renamed` and no leave or join, and presence stays right everywhere, also when
 * the user the guest becomes is connected already.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import type { EngineEvent } from '../../src/engine/events.js';
import type { RecordingSink } from '../helpers/engine.js';
import { connect, engineCluster, tokenOf } from '../helpers/engineCluster.js';
import { waitFor } from '../helpers/wait.js';

const nodes = engineCluster();
const cluster = (count: number) => nodes.start(count);

/** Room presence events about these users received since `from` (an index into the sink's events). */
function presenceAbout(sink: RecordingSink, from: number, names: string[]): EngineEvent[] {
  return sink.events
    .slice(from)
    .filter(
      (e) => (e.type === 'presence_join' || e.type === 'presence_leave') && names.includes(e.user.username),
    );
}

const names = (users: { username: string }[]) => users.map((u) => u.username).sort();

describe('guest upgrade across nodes', () => {
  it('[proto.upgrade.cluster] the room on another node hears one user_renamed; presence follows quietly', async () => {
    const [a, b] = (await cluster(2)) as [Engine, Engine];
    const wendy = await connect(b, { user: 'wendy' });
    await wendy.session.join('lobby');
    const guest = await connect(a, { guest: 'visitor' });
    await guest.session.join('lobby');
    await wendy.sink.next('presence_join', (e) => e.user.username === 'visitor');
    await guest.session.send('lobby', { text: 'as a guest' });
    const token = await tokenOf(a, 'alice');
    const mark = wendy.sink.events.length;

    const { principal } = await guest.session.upgrade({ kind: 'token', token });
    expect(principal.user.username).toBe('alice');
    const renamed = await wendy.sink.next('user_renamed');
    expect(renamed).toMatchObject({
      room: { name: 'lobby' },
      from: { username: 'visitor', role: 'guest' },
      to: { username: 'alice' },
    });
    // Still in the room on node a, without having joined again: it hears what wendy says on node b.
    await wendy.session.send('lobby', { text: 'welcome' });
    await guest.sink.next('message', (e) => e.message.text === 'welcome');
    await guest.session.send('lobby', { text: 'as alice' });
    await wendy.sink.next('message', (e) => e.message.text === 'as alice');
    expect(wendy.sink.of('user_renamed')).toHaveLength(1);
    expect(presenceAbout(wendy.sink, mark, ['visitor', 'alice'])).toEqual([]);

    for (const engine of [a, b]) {
      const lobby = (await engine.listRooms(1)).find((r) => r.name === 'lobby');
      expect(lobby?.online).toBe(2);
      await waitFor(() => !engine.online(1).some((o) => o.user.username === 'visitor'));
      expect(names(engine.online(1).map((o) => o.user))).toEqual(['alice', 'wendy']);
    }
    expect(names((await wendy.session.members('lobby')).online)).toEqual(['alice', 'wendy']);
    expect(names((await guest.session.members('lobby')).online)).toEqual(['alice', 'wendy']);
    // Off by default: the guest's message is still the guest's.
    const history = await wendy.session.history('lobby', {});
    expect(history.messages.find((m) => m.text === 'as a guest')?.author?.username).toBe('visitor');

    // Leaving now is alice leaving, told on the other node.
    guest.session.close({ immediate: true });
    const left = await wendy.sink.next('presence_leave', (e) => e.user.username === 'alice');
    expect(left.room.name).toBe('lobby');
    expect(names((await wendy.session.members('lobby')).online)).toEqual(['wendy']);
  });

  it('[proto.upgrade.cluster] to a user connected already: counted once, present while any connection stays', async () => {
    const [a, b] = (await cluster(2)) as [Engine, Engine];
    const wendy = await connect(b, { user: 'wendy' });
    await wendy.session.join('lobby');
    const aliceThere = await connect(b, { user: 'alice' });
    await aliceThere.session.join('lobby');
    const guest = await connect(a, { guest: 'visitor' });
    await guest.session.join('lobby');
    await wendy.sink.next('presence_join', (e) => e.user.username === 'visitor');
    const mark = wendy.sink.events.length;

    await guest.session.upgrade({ kind: 'token', token: await tokenOf(a, 'alice') });
    await wendy.sink.next('user_renamed');
    for (const engine of [a, b]) {
      await waitFor(() => !engine.online(1).some((o) => o.user.username === 'visitor'));
      const alice = engine.online(1).find((o) => o.user.username === 'alice');
      expect(alice?.connections).toBe(2);
      const lobby = (await engine.listRooms(1)).find((r) => r.name === 'lobby');
      expect(lobby?.online).toBe(2);
    }

    // alice's connection on node b goes: she is still in the room through the upgraded one on node a.
    aliceThere.session.close({ immediate: true });
    await wendy.session.send('lobby', { text: 'still here?' });
    await guest.sink.next('message', (e) => e.message.text === 'still here?');
    expect(names((await wendy.session.members('lobby')).online)).toEqual(['alice', 'wendy']);
    expect(presenceAbout(wendy.sink, mark, ['visitor', 'alice'])).toEqual([]);

    guest.session.close({ immediate: true });
    await wendy.sink.next('presence_leave', (e) => e.user.username === 'alice');
    expect(names((await wendy.session.members('lobby')).online)).toEqual(['wendy']);
  });

  it('[proto.upgrade.link] with linkGuestMessages, the guest’s messages are the user’s on every node', async () => {
    const [a, b] = (await cluster(2)) as [Engine, Engine];
    await a.updateApp(1, { settings: { linkGuestMessages: true } });
    const guest = await connect(a, { guest: 'visitor' });
    await guest.session.join('lobby');
    await guest.session.send('lobby', { text: 'as a guest' });
    await guest.session.upgrade({ kind: 'token', token: await tokenOf(a, 'alice') });
    const wendy = await connect(b, { user: 'wendy' });
    const joined = await wendy.session.join('lobby');
    expect(joined.messages.find((m) => m.text === 'as a guest')?.author?.username).toBe('alice');
  });

  it('[proto.upgrade.refused] two upgrades of one session at once: one wins, the other changes nothing', async () => {
    const [a, b] = (await cluster(2)) as [Engine, Engine];
    const wendy = await connect(b, { user: 'wendy' });
    await wendy.session.join('lobby');
    const guest = await connect(a, { guest: 'visitor' });
    await guest.session.join('lobby');
    const [first, second] = [await tokenOf(a, 'alice'), await tokenOf(a, 'bob')];
    const outcomes = await Promise.allSettled([
      guest.session.upgrade({ kind: 'token', token: first }),
      guest.session.upgrade({ kind: 'token', token: second }),
    ]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((o) => (o.reason as { code: string }).code)).toEqual(['forbidden']);
    const winner = guest.session.user.username;
    const renamed = await wendy.sink.next('user_renamed');
    expect(renamed.to.username).toBe(winner);
    await wendy.session.send('lobby', { text: 'settled' });
    await guest.sink.next('message', (e) => e.message.text === 'settled');
    expect(guest.sink.of('user_renamed')).toHaveLength(1);
    for (const engine of [a, b]) {
      await waitFor(() => !engine.online(1).some((o) => o.user.username === 'visitor'));
      expect(names(engine.online(1).map((o) => o.user))).toEqual([winner, 'wendy'].sort());
    }
    expect(names((await wendy.session.members('lobby')).online)).toEqual([winner, 'wendy'].sort());
  });
});
