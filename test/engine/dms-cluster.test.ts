/**
 * Direct messages and blocks across nodes: engines on one store joined by the in-process bus. A DM opened by
 * both sides at once on two nodes is one room; a block made on one node filters the blocker's sessions on the
 * other.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalBusHub } from '../../src/bus/local.js';
import type { Session } from '../../src/engine/api.js';
import type { Engine } from '../../src/engine/engine.js';
import type { Store } from '../../src/engine/ports/store.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { createTestEngine, RecordingSink, type TestEngine } from '../helpers/engine.js';
import { waitFor } from '../helpers/wait.js';

const nodes: TestEngine[] = [];
let shared: Store | null = null;
afterEach(async () => {
  for (const node of nodes.splice(0)) await node.close();
  await shared?.close();
  shared = null;
});

async function cluster(count: number): Promise<Engine[]> {
  const store = openSqliteStore({ path: ':memory:' });
  shared = store;
  const hub = new LocalBusHub();
  for (let i = 0; i < count; i++) {
    nodes.push(await createTestEngine({ store, bus: hub.connect(), config: { clusterHeartbeatMs: 60_000 } }));
  }
  return nodes.map((n) => n.engine);
}

async function connect(engine: Engine, username: string): Promise<{ session: Session; sink: RecordingSink }> {
  const existing = await engine.listUsers(1, { limit: 1000 });
  if (!existing.some((u) => u.username === username)) await engine.createUser(1, { username });
  const { token } = await engine.issueToken(1, username);
  const sink = new RecordingSink();
  const principal = await engine.authenticate(1, { kind: 'token', token });
  return { session: engine.openSession(principal, sink, { transport: 'test', dialect: 'native' }), sink };
}

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
});
