/**
 * Slow mode across nodes: three engines on one store joined by the in-process bus. A user who sends through
 * two nodes (or three at once) is held to one message per interval, because the store checks the last message in
 * the append's own transaction; a join on another node carries the room's interval.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalBusHub } from '../../src/bus/local.js';
import type { ParleyError } from '../../src/core/errors.js';
import type { Session } from '../../src/engine/api.js';
import type { Engine } from '../../src/engine/engine.js';
import type { Store } from '../../src/engine/ports/store.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { createTestEngine, ManualClock, RecordingSink, type TestEngine } from '../helpers/engine.js';
import { waitFor } from '../helpers/wait.js';

const nodes: TestEngine[] = [];
let shared: Store | null = null;
const clock = new ManualClock();
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
    const config = { clusterHeartbeatMs: 60_000 };
    nodes.push(await createTestEngine({ store, bus: hub.connect(), clock, config }));
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

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'sent',
    (err: unknown) => (err as ParleyError).code,
  );

describe('slow mode across nodes', () => {
  it('[proto.slow-mode] holds for a user sending through two and three nodes', async () => {
    const [a, b, c] = (await cluster(3)) as [Engine, Engine, Engine];
    await a.updateRoom(1, 'lobby', { slowModeSeconds: 60 });
    const onA = await connect(a, 'ann');
    const onB = await connect(b, 'ann');
    const onC = await connect(c, 'ann');
    const watcher = await connect(b, 'bob');
    await watcher.session.join('lobby');
    for (const s of [onA, onB, onC]) await s.session.join('lobby');
    // Node B learned the interval from A's room_updated: its join reply carries it.
    expect((await onB.session.join('lobby')).room.slowModeSeconds).toBe(60);

    expect(await outcome(onA.session.send('lobby', { text: 'through A' }))).toBe('sent');
    clock.advance(1000);
    const refused = await onB.session.send('lobby', { text: 'through B' }).catch((err: unknown) => err);
    expect(refused).toMatchObject({
      code: 'slow_mode',
      details: { retryAfterMs: 59_000, slowModeSeconds: 60 },
    });

    // Three nodes at the same moment, once the interval is over: exactly one passes.
    clock.advance(60_000);
    const results = await Promise.all(
      [onA, onB, onC].map((s, i) => outcome(s.session.send('lobby', { text: `race ${i}` }))),
    );
    expect(results.filter((r) => r === 'sent')).toHaveLength(1);
    expect(results.filter((r) => r === 'slow_mode')).toHaveLength(2);
    await waitFor(() => watcher.sink.of('message').length === 2);
  });
});
