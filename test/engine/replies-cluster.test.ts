/**
 * Replies and pins across nodes: two real engines on one in-memory store, joined by the in-process bus, whose
 * intake validates every message. A pin on one node reaches the room's members on the other, and so does a
 * reply with its quote.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalBusHub } from '../../src/bus/local.js';
import type { Role } from '../../src/core/roles.js';
import type { Session } from '../../src/engine/api.js';
import type { Engine } from '../../src/engine/engine.js';
import type { Store } from '../../src/engine/ports/store.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { createTestEngine, LogRecorder, RecordingSink, type TestEngine } from '../helpers/engine.js';

const nodes: TestEngine[] = [];
let shared: Store | null = null;
afterEach(async () => {
  for (const node of nodes.splice(0)) await node.close();
  await shared?.close();
  shared = null;
});

async function connect(engine: Engine, username: string, role: Role = 'member') {
  const existing = await engine.listUsers(1, { limit: 1000 });
  if (!existing.some((u) => u.username === username)) await engine.createUser(1, { username, role });
  const { token } = await engine.issueToken(1, username);
  const sink = new RecordingSink();
  const principal = await engine.authenticate(1, { kind: 'token', token });
  const session: Session = engine.openSession(principal, sink, { transport: 'test', dialect: 'native' });
  return { session, sink };
}

describe('replies and pins in a cluster', () => {
  it('[engine.pins.cluster] a pin, an unpin and a reply on one node reach the room on the other', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    shared = store;
    const hub = new LocalBusHub();
    const log = new LogRecorder();
    for (let i = 0; i < 2; i++) {
      const node = await createTestEngine({
        store,
        bus: hub.connect(),
        config: { clusterHeartbeatMs: 60_000 },
        ...(i === 1 ? { logger: log.logger } : {}),
      });
      nodes.push(node);
    }
    const [a, b] = nodes.map((n) => n.engine) as [Engine, Engine];
    const mod = await connect(a, 'mod', 'mod');
    const member = await connect(b, 'member');
    await mod.session.join('lobby');
    await member.session.join('lobby');

    const sent = await member.session.send('lobby', { text: 'pin this' });
    if (sent.kind !== 'message') throw new Error('expected a message');
    const pin = await mod.session.pin('lobby', sent.message.id);
    expect(pin.pinnedBy?.username).toBe('mod');
    const pinned = await member.sink.next('message_pinned');
    expect(pinned).toMatchObject({
      room: { name: 'lobby' },
      message: { id: sent.message.id },
      by: { username: 'mod' },
    });
    expect((await member.session.pins('lobby')).map((p) => p.message.id)).toEqual([sent.message.id]);

    const reply = await member.session.send('lobby', { text: 'a reply', replyTo: sent.message.id });
    if (reply.kind !== 'message') throw new Error('expected a message');
    const heard = await mod.sink.next('message', (e) => e.message.id === reply.message.id);
    expect(heard.message.replyTo).toMatchObject({ id: sent.message.id, excerpt: 'pin this', deleted: false });

    await mod.session.unpin('lobby', sent.message.id);
    expect(await member.sink.next('message_unpinned')).toMatchObject({ message: { id: sent.message.id } });
    expect(log.records.filter((r) => r.msg === 'bus message dropped')).toEqual([]);

    const records = await a.listModeration(1, { limit: 10 });
    expect(records.slice(0, 2).map((r) => r.kind)).toEqual(['unpin', 'pin']);
    expect(records[1]).toMatchObject({
      targetId: sent.message.author?.id,
      detail: { messageId: sent.message.id },
    });
  });
});
