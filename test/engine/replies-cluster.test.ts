/**
 * Replies and pins across nodes: two real engines on one in-memory store, joined by the in-process bus, whose
 * intake validates every message. A pin on one node reaches the room's members on the other, and so does a
 * reply with its quote.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { LogRecorder } from '../helpers/engine.js';
import { connect, engineCluster } from '../helpers/engineCluster.js';

const nodes = engineCluster();

describe('replies and pins in a cluster', () => {
  it('[engine.pins.cluster] a pin, an unpin and a reply on one node reach the room on the other', async () => {
    const log = new LogRecorder();
    const [a, b] = (await nodes.start(2, { logger: log.logger })) as [Engine, Engine];
    const mod = await connect(a, { user: 'mod', role: 'mod' });
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
