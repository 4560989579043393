/**
 * The faults closed by the engine's parts: a room made private stops reaching joined non-members at once; a
 * failure started from bus intake is logged and the node keeps serving; a node that stops on purpose takes
 * its users' presence with it at once. Real engines on one in-memory store, joined by the in-process bus.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalBusHub } from '../../src/bus/local.js';
import { BUS_VERSION } from '../../src/engine/ports/bus.js';
import { ParleyError } from '../../src/core/errors.js';
import type { Role } from '../../src/core/roles.js';
import type { Session } from '../../src/engine/api.js';
import type { Engine } from '../../src/engine/engine.js';
import type { Directory, Store } from '../../src/engine/ports/store.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { createTestEngine, LogRecorder, RecordingSink, type TestEngine } from '../helpers/engine.js';
import { waitFor } from '../helpers/wait.js';

const nodes: TestEngine[] = [];
let shared: Store | null = null;
afterEach(async () => {
  for (const node of nodes.splice(0)) await node.close();
  await shared?.close();
  shared = null;
});

/** Engines on one store, joined by one in-process bus (heartbeats far apart: silence explains nothing here). */
async function cluster(count: number, stores: (store: Store) => Store[] = () => []) {
  const store = openSqliteStore({ path: ':memory:' });
  shared = store;
  const hub = new LocalBusHub();
  const overrides = stores(store);
  for (let i = 0; i < count; i++) {
    nodes.push(
      await createTestEngine({
        store: overrides[i] ?? store,
        bus: hub.connect(),
        config: { clusterHeartbeatMs: 60_000 },
      }),
    );
  }
  return nodes.map((n) => n.engine);
}

async function connect(engine: Engine, username: string, role: Role = 'member', appPresence = false) {
  const existing = await engine.listUsers(1, { limit: 1000 });
  if (!existing.some((u) => u.username === username)) await engine.createUser(1, { username, role });
  const { token } = await engine.issueToken(1, username);
  const sink = new RecordingSink();
  const principal = await engine.authenticate(1, { kind: 'token', token });
  const session: Session = engine.openSession(principal, sink, {
    transport: 'test',
    dialect: 'native',
    appPresence,
  });
  return { session, sink };
}

async function failure(run: () => unknown): Promise<ParleyError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof ParleyError) return err;
    throw err;
  }
  throw new Error('expected a ParleyError');
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('a room made private', () => {
  it('[engine.private.now] stops reaching a joined non-member at once, who is told the room is gone', async () => {
    const [engine] = (await cluster(1)) as [Engine];
    await engine.createRoom(1, { name: 'hideout' });
    const alice = await connect(engine, 'alice');
    const bob = await connect(engine, 'bob');
    const carol = await connect(engine, 'carol', 'admin');
    for (const user of [alice, bob, carol]) await user.session.join('hideout');
    await engine.addRoomMember(1, 'hideout', 'alice');

    await engine.updateRoom(1, 'hideout', { visibility: 'private' });

    const gone = await bob.sink.next('room_deleted', (e) => e.room.name === 'hideout');
    expect(gone.room.name).toBe('hideout');
    expect(alice.sink.of('room_deleted')).toEqual([]);
    expect(carol.sink.of('room_deleted')).toEqual([]);
    expect(bob.session.rooms.has('hideout')).toBe(false);

    await alice.session.send('hideout', { text: 'members only' });
    await carol.sink.next('message', (e) => e.message.text === 'members only');
    await alice.sink.next('message', (e) => e.message.text === 'members only');
    await settle();
    expect(bob.sink.of('message').filter((e) => e.room.name === 'hideout')).toEqual([]);

    expect((await failure(() => bob.session.send('hideout', { text: 'still here?' }))).code).toBe(
      'not_joined',
    );
    expect((await failure(() => bob.session.typing('hideout', true))).code).toBe('not_joined');
    expect((await failure(() => bob.session.join('hideout'))).code).toBe('forbidden');
  });

  it('[engine.private.remote] made private on another node, it stops reaching that node’s non-members', async () => {
    const [a, b] = (await cluster(2)) as [Engine, Engine];
    await a.createRoom(1, { name: 'hideout' });
    await a.createUser(1, { username: 'alice' });
    await a.addRoomMember(1, 'hideout', 'alice');
    const alice = await connect(b, 'alice');
    const bob = await connect(b, 'bob');
    await alice.session.join('hideout');
    await bob.session.join('hideout');

    await a.updateRoom(1, 'hideout', { visibility: 'private' });

    await bob.sink.next('room_deleted', (e) => e.room.name === 'hideout');
    expect(alice.sink.of('room_deleted')).toEqual([]);
    const writer = await connect(a, 'alice');
    await writer.session.join('hideout');
    await writer.session.send('hideout', { text: 'from A' });
    await alice.sink.next('message', (e) => e.message.text === 'from A');
    await settle();
    expect(bob.sink.of('message').filter((e) => e.room.name === 'hideout')).toEqual([]);
    expect((await failure(() => bob.session.send('hideout', { text: 'hello?' }))).code).toBe('not_joined');
  });
});

describe('bus intake', () => {
  it('[engine.intake.moderation] a failing moderation-cache load while a remote mute arrives leaves the node serving', async () => {
    const log = new LogRecorder();
    const load: { fail: ((err: Error) => void) | null } = { fail: null };
    const store = openSqliteStore({ path: ':memory:' });
    shared = store;
    const hub = new LocalBusHub();
    // Node B's storage: its first read of the mutes hangs until the test makes it fail.
    const directory: Directory = Object.create(store.directory) as Directory;
    directory.listMutes = (...args) => {
      if (load.fail !== null) return store.directory.listMutes(...args);
      return new Promise((_, reject) => (load.fail = reject));
    };
    const a = await createTestEngine({ store, bus: hub.connect() });
    const b = await createTestEngine({
      store: { ...store, directory },
      bus: hub.connect(),
      logger: log.logger,
    });
    nodes.push(a, b);
    await a.engine.createUser(1, { username: 'mallory' });
    const { token } = await a.engine.issueToken(1, 'mallory');

    const loading = b.engine.authenticate(1, { kind: 'token', token }).then(
      () => null,
      (err: unknown) => err,
    );
    await waitFor(() => load.fail !== null, { label: 'node B to start loading its moderation cache' });
    await a.engine.mute(1, 'mallory', { reason: 'spam' });
    await settle(); // the mute has reached node B, which waits on its cache to apply it
    load.fail?.(new Error('storage hiccup'));

    const logged = await log.next('applying a bus message failed');
    expect(logged).toMatchObject({ type: 'app_event', event: 'muted', origin: a.engine.nodeId });
    expect(await loading).toBeInstanceOf(Error);

    // Node B still serves, and its cache, read again from storage, knows the mute.
    const mallory = await connect(b.engine, 'mallory');
    await mallory.session.join('lobby');
    expect((await failure(() => mallory.session.send('lobby', { text: 'hi' }))).code).toBe('muted');
    const other = await connect(b.engine, 'olga');
    await other.session.join('lobby');
    const sent = await other.session.send('lobby', { text: 'still serving' });
    expect(sent.kind).toBe('message');
  });

  it('[engine.intake.invalid] a malformed or unknown bus message is logged and dropped', async () => {
    const log = new LogRecorder();
    const store = openSqliteStore({ path: ':memory:' });
    shared = store;
    const hub = new LocalBusHub();
    const node = await createTestEngine({ store, bus: hub.connect(), logger: log.logger });
    nodes.push(node);
    const stranger = hub.connect();
    stranger.onMessage(() => {});
    const bogus: unknown[] = [
      {
        v: BUS_VERSION,
        type: 'room_event',
        origin: 'x',
        appId: 'one',
        roomId: 1,
        event: { type: 'message' },
      },
      { v: BUS_VERSION + 1, type: 'hello', origin: 'x' },
      { v: BUS_VERSION, type: 'teleport', origin: 'x' },
      'plain text',
    ];
    for (const message of bogus) (stranger.publish as (m: unknown) => void)(message);
    await waitFor(() => log.records.filter((r) => r.msg === 'bus message dropped').length === bogus.length);
    const user = await connect(node.engine, 'still');
    await user.session.join('lobby');
    expect((await user.session.send('lobby', { text: 'fine' })).kind).toBe('message');
  });
});

describe('a node stopping on purpose', () => {
  it('[engine.node.leaving] a graceful stop of one of three nodes drops its users’ presence on the others within 1 s', async () => {
    const [a, b, c] = (await cluster(3)) as [Engine, Engine, Engine];
    const onA = await connect(a, 'watcher-a', 'member', true);
    const onB = await connect(b, 'watcher-b', 'member', true);
    await onA.session.join('lobby');
    await onB.session.join('lobby');
    const leaver = await connect(c, 'leaver');
    await leaver.session.join('lobby');
    for (const watcher of [onA, onB]) {
      await watcher.sink.nextPresence('leaver', true);
      await waitFor(() => watcher.sink.of('presence_join').some((e) => e.user.username === 'leaver'));
    }

    const stoppedAt = Date.now();
    const heard = Promise.all(
      [onA, onB].flatMap((watcher) => [
        watcher.sink.nextPresence('leaver', false),
        watcher.sink.next('presence_leave', (e) => e.user.username === 'leaver'),
      ]),
    ).then(() => Date.now() - stoppedAt);
    const bound = new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 1000).unref());
    await nodes[2]?.close();
    const took = await Promise.race([heard, bound]);
    expect(took, 'the other nodes dropped the presence of the stopped node').toBeLessThan(1000);
    expect(a.online(1).map((u) => u.user.username)).not.toContain('leaver');
    expect(b.online(1).map((u) => u.user.username)).not.toContain('leaver');
  });
});
