/**
 * Shadow mutes, reports and the moderation queue across nodes: engines on one store joined by the in-process
 * bus. The visibility filter runs on each node at fan-out; staff events reach staff sessions on every node.
 */
import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/api.js';
import type { Engine } from '../../src/engine/engine.js';
import { RecordingSink } from '../helpers/engine.js';
import { engineCluster } from '../helpers/engineCluster.js';
import { waitFor } from '../helpers/wait.js';

const nodes = engineCluster();
const cluster = (count: number) => nodes.start(count);

async function connect(engine: Engine, username: string): Promise<{ session: Session; sink: RecordingSink }> {
  const existing = await engine.listUsers(1, { limit: 1000 });
  if (!existing.some((u) => u.username === username)) {
    await engine.createUser(1, { username, ...(username === 'mod' ? { role: 'mod' as const } : {}) });
  }
  const { token } = await engine.issueToken(1, username);
  const sink = new RecordingSink();
  const principal = await engine.authenticate(1, { kind: 'token', token });
  return { session: engine.openSession(principal, sink, { transport: 'test', dialect: 'native' }), sink };
}

async function posted(session: Session, text: string) {
  const result = await session.send('lobby', { text });
  if (result.kind !== 'message') throw new Error('expected a message');
  return result.message;
}

describe('reports and shadow mutes across nodes', () => {
  it('[proto.reports.cluster-shadow] a shadow mute made on node A hides the user’s messages on node B too', async () => {
    const [a, b] = (await cluster(2)) as [Engine, Engine];
    const modA = await connect(a, 'mod');
    const modB = await connect(b, 'mod');
    const bobA = await connect(a, 'bob');
    const bobB = await connect(b, 'bob');
    const aliceA = await connect(a, 'alice');
    const aliceB = await connect(b, 'alice');
    for (const s of [modA, modB, bobA, bobB, aliceA, aliceB]) await s.session.join('lobby');
    // Node B has read the app's shadow mutes already: it must learn of the new one from the bus.
    await posted(bobB.session, 'before');
    await modA.session.reports.shadowMute('bob', { reason: 'spam' });
    await waitFor(() => modB.sink.of('shadow_muted').length === 1);
    expect(bobA.sink.of('shadow_muted')).toHaveLength(0);
    expect(bobB.sink.of('shadow_muted')).toHaveLength(0);

    const hidden = await posted(bobB.session, 'only staff see this');
    const marker = await posted(modB.session, 'marker');
    for (const alice of [aliceA, aliceB]) {
      await alice.sink.next('message', (e) => e.message.id === marker.id);
      expect(alice.sink.of('message').map((e) => e.message.text)).toEqual(['before', 'marker']);
    }
    for (const mod of [modA, modB]) {
      const seen = await mod.sink.next('message', (e) => e.message.id === hidden.id);
      expect(seen.message.visibility).toBe('shadow');
    }
    const own = await bobA.sink.next('message', (e) => e.message.id === hidden.id);
    expect(own.message.visibility).toBeUndefined();
  });

  it('[proto.reports.cluster-queue] report_created reaches staff on every node; a release crosses nodes', async () => {
    const [a, b] = (await cluster(2)) as [Engine, Engine];
    await a.updateApp(1, { settings: { reports: { hideAfter: 1, establishedAfterHours: 0 } } });
    const modB = await connect(b, 'mod');
    const bob = await connect(a, 'bob');
    const alice = await connect(a, 'alice');
    const carolB = await connect(b, 'carol');
    for (const s of [modB, bob, alice, carolB]) await s.session.join('lobby');
    const target = await posted(bob.session, 'report me');
    await carolB.sink.next('message', (e) => e.message.id === target.id);
    const result = await alice.session.reports.report('lobby', target.id, { reason: 'spam' });
    expect(result.duplicate).toBe(false);
    const told = await modB.sink.next('report_created');
    expect(told).toMatchObject({
      messageId: target.id,
      reporters: 1,
      reason: 'spam',
      room: { name: 'lobby' },
    });
    expect(carolB.sink.of('report_created')).toHaveLength(0);
    // One established reporter hides it here: node B's room hears it too.
    await carolB.sink.next('message_hidden', (e) => e.messageId === target.id);
    expect((await carolB.session.history('lobby', {})).messages.map((m) => m.id)).not.toContain(target.id);

    const entry = await modB.session.reports.resolve(target.id, { action: 'dismiss' });
    expect(entry.status).toBe('resolved');
    const back = await alice.sink.next('message', (e) => e.message.id === target.id && e.released === true);
    expect(back.message.visibility).toBeUndefined();
    await carolB.sink.next('message', (e) => e.message.id === target.id && e.released === true);
  });
});
