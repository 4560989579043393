/**
 * Replies and pins through both framings with the typed client, against a real server over real sockets:
 * a reply with its quote, replyCount, the thread view paged, a bad replyTo refused; pins by a moderator seen by
 * another member, a member's pin refused, the pins list, and a deletion that unpins.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/client/index.js';
import type { MessageView, SendResult } from '../../src/protocol/native.js';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { ClientPool, events, NO_FLOOD, patchApp, register, setRole, TRANSPORTS } from './helpers.js';

function sentMessage(result: SendResult): MessageView {
  if (result.kind !== 'message') throw new Error(`expected a message, got ${result.kind}`);
  return result.message;
}

describe.each(TRANSPORTS)('replies and pins over %s', (transport) => {
  let srv: TestServer;
  const pool = new ClientPool();
  const tag = transport === 'ws' ? 'ws' : 'sio';
  let modToken: string;
  let memberToken: string;

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
    modToken = await register(srv, `mod-${tag}`, 'mod-password');
    memberToken = await register(srv, `member-${tag}`, 'member-password');
    await setRole(srv, `mod-${tag}`, 'mod');
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  async function pair(room: string): Promise<{ mod: ParleyClient; member: ParleyClient }> {
    const mod = pool.client(srv, transport, { token: modToken });
    const member = pool.client(srv, transport, { token: memberToken });
    await mod.connect();
    await member.connect();
    await mod.createRoom(room);
    await mod.join(room);
    await member.join(room);
    return { mod, member };
  }

  it('[proto.replies] a reply quotes its parent, counts, pages as a thread; a bad replyTo is refused', async () => {
    const room = `threads-${tag}`;
    const { mod, member } = await pair(room);
    const long = `${'word '.repeat(60)}end`;
    const parent = sentMessage(await mod.send(room, long));
    expect(parent).toMatchObject({ replyTo: null, replyCount: 0 });

    const seen = events(mod, 'message');
    const reply = sentMessage(await member.send(room, 'first answer', { replyTo: parent.id }));
    const quote = { id: parent.id, author: parent.author, excerpt: long.slice(0, 200), deleted: false };
    expect(reply.replyTo).toEqual(quote);
    expect((await seen.next((e) => e.message.id === reply.id)).message.replyTo).toEqual(quote);

    for (let i = 2; i <= 5; i++) await member.send(room, `answer ${i}`, { replyTo: parent.id });
    await mod.send(room, 'not in the thread');

    // history and a fresh join show the count and the quote
    const history = await member.history(room, { limit: 10 });
    expect(history.messages.find((m) => m.id === parent.id)?.replyCount).toBe(5);
    expect(history.messages.find((m) => m.id === reply.id)?.replyTo).toEqual(quote);
    const fresh = pool.client(srv, transport, { token: memberToken });
    await fresh.connect();
    const joined = await fresh.join(room);
    expect(joined.messages.find((m) => m.id === parent.id)?.replyCount).toBe(5);
    expect(joined.messages.find((m) => m.id === reply.id)?.replyTo).toEqual(quote);

    // the thread, paged back two at a time
    const texts: string[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await mod.replies(
        room,
        parent.id,
        before === undefined ? { limit: 2 } : { before, limit: 2 },
      );
      texts.unshift(...page.messages.map((m) => m.text));
      if (page.nextCursor === null) break;
      before = page.nextCursor;
    }
    expect(texts).toEqual(['first answer', 'answer 2', 'answer 3', 'answer 4', 'answer 5']);
    const forward = await mod.replies(room, parent.id, { after: reply.seq, limit: 2 });
    expect(forward.messages.map((m) => m.text)).toEqual(['answer 2', 'answer 3']);

    // a parent in another room, or none at all, is refused; so is a deleted one
    await mod.createRoom(`elsewhere-${tag}`);
    await mod.join(`elsewhere-${tag}`);
    const foreign = sentMessage(await mod.send(`elsewhere-${tag}`, 'over there'));
    for (const replyTo of [foreign.id, foreign.id + 1000]) {
      await expect(member.send(room, 'lost', { replyTo })).rejects.toMatchObject({
        code: 'not_found',
        details: { field: 'replyTo' },
      });
    }
    await expect(mod.replies(room, foreign.id)).rejects.toMatchObject({ code: 'not_found' });

    // deleting the parent: its replies say so and quote nothing
    const deletions = events(member, 'message_deleted');
    await mod.delete(room, parent.id);
    await deletions.next((e) => e.message.id === parent.id);
    const after = await member.replies(room, parent.id);
    expect(after.messages[0]?.replyTo).toEqual({ ...quote, excerpt: '', deleted: true });
    await expect(member.send(room, 'too late', { replyTo: parent.id })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('[proto.pins] a moderator pins and unpins, members see it and may list, a member may not pin', async () => {
    const room = `pins-${tag}`;
    const { mod, member } = await pair(room);
    const first = sentMessage(await member.send(room, 'worth pinning'));
    const second = sentMessage(await member.send(room, 'also worth it'));

    await expect(member.pin(room, first.id)).rejects.toMatchObject({ code: 'forbidden' });

    const pinnedEvents = events(member, 'message_pinned');
    const pin = await mod.pin(room, first.id);
    expect(pin).toMatchObject({
      message: { id: first.id, text: 'worth pinning' },
      pinnedBy: { username: `mod-${tag}` },
    });
    const told = await pinnedEvents.next();
    expect(told).toMatchObject({
      room: { name: room },
      message: { id: first.id },
      by: { username: `mod-${tag}` },
    });
    await mod.pin(room, second.id);

    expect((await member.pins(room)).map((p) => p.message.id)).toEqual([second.id, first.id]);
    await expect(mod.pin(room, first.id + 1000)).rejects.toMatchObject({ code: 'not_found' });

    const unpinnedEvents = events(member, 'message_unpinned');
    await mod.unpin(room, first.id);
    expect(await unpinnedEvents.next()).toMatchObject({
      message: { id: first.id },
      by: { username: `mod-${tag}` },
    });
    expect((await member.pins(room)).map((p) => p.message.id)).toEqual([second.id]);

    // deleting a pinned message unpins it, told as an unpin by whoever deleted it
    await member.delete(room, second.id);
    expect(await unpinnedEvents.next()).toMatchObject({
      message: { id: second.id },
      by: { username: `member-${tag}` },
    });
    expect(await member.pins(room)).toEqual([]);
  });
});
