/**
 * Reactions over both framings with the typed client, against a real server on real sockets: add, idempotent
 * add, counts and `me` in history and in a join's replay, `reaction_changed` seen by another member, remove,
 * what is not one emoji refused, the app's bound on distinct emoji, and who may not react.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/client/index.js';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import {
  ClientPool,
  events,
  NO_FLOOD,
  patchApp,
  register,
  setRole,
  TRANSPORTS,
  refusalOf,
} from './helpers.js';

/** 21 distinct emoji, skin tones, flags, keycaps and ZWJ sequences among them. */
const EMOJI = [
  '👍',
  '🎉',
  '❤️',
  '😂',
  '🚀',
  '👀',
  '🔥',
  '🙂',
  '👍🏽',
  '🇫🇷',
  '#️⃣',
  '👨‍👩‍👧‍👦',
  '🏳️‍🌈',
  '🏴󠁧󠁢󠁥󠁮󠁧󠁿',
  '🤖',
  '🍕',
  '✅',
  '💯',
  '🙏',
  '🤔',
  '🌍',
];

describe.each(TRANSPORTS)('reactions over %s', (transport) => {
  let srv: TestServer;
  const pool = new ClientPool();
  let aliceToken: string;
  let bobToken: string;
  let carolToken: string;
  let rooms = 0;

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
    aliceToken = await register(srv, 'alice', 'alice-password');
    bobToken = await register(srv, 'bob', 'bob-password');
    carolToken = await register(srv, 'carol', 'carol-password');
    await setRole(srv, 'alice', 'mod');
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  async function client(token: string): Promise<ParleyClient> {
    const c = pool.client(srv, transport, { token });
    await c.connect();
    return c;
  }

  /** A new room that alice (mod) and bob have joined, and a message of bob's in it. */
  async function scene() {
    const room = `react-${transport === 'ws' ? 'ws' : 'sio'}-${++rooms}`;
    const alice = await client(aliceToken);
    const bob = await client(bobToken);
    await alice.createRoom(room);
    await alice.join(room);
    await bob.join(room);
    const sent = await bob.send(room, 'react to me');
    if (sent.kind !== 'message') throw new Error('not a message');
    return { room, alice, bob, id: sent.message.id };
  }

  const refusal = refusalOf;

  it('[proto.reactions] adds, counts once, shows counts and me, tells the room, removes', async () => {
    const { room, alice, bob, id } = await scene();
    const seenByAlice = events(alice, 'reaction_changed');

    const added = await bob.react(room, id, '👍');
    expect(added).toEqual({
      messageId: id,
      emoji: '👍',
      count: 1,
      changed: true,
      reactions: [{ emoji: '👍', count: 1, me: true }],
    });
    const told = await seenByAlice.next();
    expect(told).toMatchObject({ room: { name: room }, messageId: id, emoji: '👍', count: 1, added: true });
    expect(told.user.username).toBe('bob');

    // Idempotent: the same reaction again changes nothing and tells no one (the next event is alice's).
    expect(await bob.react(room, id, '👍')).toMatchObject({ count: 1, changed: false });
    expect(await alice.react(room, id, '🎉')).toMatchObject({ count: 1, changed: true });
    expect(await seenByAlice.next()).toMatchObject({ emoji: '🎉', count: 1, added: true });
    await alice.react(room, id, '👍');
    expect(await seenByAlice.next()).toMatchObject({ emoji: '👍', count: 2, added: true });

    // History, per reader: most used first, then first use; `me` for the one asking.
    const forBob = (await bob.history(room)).messages.find((m) => m.id === id);
    expect(forBob?.reactions).toEqual([
      { emoji: '👍', count: 2, me: true },
      { emoji: '🎉', count: 1, me: false },
    ]);
    const forAlice = (await alice.history(room)).messages.find((m) => m.id === id);
    expect(forAlice?.reactions).toEqual([
      { emoji: '👍', count: 2, me: true },
      { emoji: '🎉', count: 1, me: true },
    ]);

    // A join's replay carries them too, for the one who joins.
    const carol = await client(carolToken);
    const joined = await carol.join(room);
    expect(joined.messages.find((m) => m.id === id)?.reactions).toEqual([
      { emoji: '👍', count: 2, me: false },
      { emoji: '🎉', count: 1, me: false },
    ]);

    // An edit's broadcast carries the counts, without `me`.
    const edits = events(carol, 'message_edited');
    await bob.edit(room, id, 'react to me, edited');
    expect((await edits.next()).message.reactions).toEqual([
      { emoji: '👍', count: 2 },
      { emoji: '🎉', count: 1 },
    ]);

    // Remove: told once; removing again, or what was never there, is a success that changes nothing.
    expect(await bob.unreact(room, id, '👍')).toMatchObject({ count: 1, changed: true });
    expect(await seenByAlice.next()).toMatchObject({ emoji: '👍', count: 1, added: false });
    expect(await bob.unreact(room, id, '👍')).toMatchObject({ count: 1, changed: false });
    expect(await bob.unreact(room, id, '🚀')).toMatchObject({ count: 0, changed: false });
    const after = (await bob.history(room)).messages.find((m) => m.id === id);
    expect(after?.reactions).toEqual([
      { emoji: '🎉', count: 1, me: false },
      { emoji: '👍', count: 1, me: false },
    ]);
  });

  it('[proto.reactions.emoji] refuses anything but exactly one emoji', async () => {
    const { room, bob, id } = await scene();
    for (const emoji of ['a', '👍👍', ':+1:', '❤', '1', 'x'.repeat(5000), '👍'.repeat(40), '']) {
      const error = await refusal(bob.react(room, id, emoji));
      expect(error.code, JSON.stringify(emoji.slice(0, 12))).toBe('bad_request');
      expect(error.details).toMatchObject({ field: 'emoji' });
    }
    expect((await bob.history(room)).messages.find((m) => m.id === id)?.reactions).toEqual([]);
  });

  it('[proto.reactions.bound] refuses the 21st distinct emoji (the app setting maxReactionEmoji)', async () => {
    const { room, alice, bob, id } = await scene();
    for (const emoji of EMOJI.slice(0, 20)) expect((await bob.react(room, id, emoji)).changed).toBe(true);
    const error = await refusal(bob.react(room, id, EMOJI[20] ?? ''));
    expect(error).toMatchObject({ code: 'too_many_reactions', details: { max: 20 } });
    // One of the twenty by someone else still counts.
    expect(await alice.react(room, id, '🔥')).toMatchObject({ count: 2, changed: true });
    expect((await alice.history(room)).messages.find((m) => m.id === id)?.reactions).toHaveLength(20);
  });

  it('[proto.reactions.rights] muted users, deleted messages and rooms not joined are refused', async () => {
    const { room, alice, bob, id } = await scene();
    await alice.mute('bob', { room });
    expect((await refusal(bob.react(room, id, '👍'))).code).toBe('muted');
    expect((await refusal(bob.unreact(room, id, '👍'))).code).toBe('muted');
    await alice.unmute('bob', { room });
    expect((await bob.react(room, id, '👍')).changed).toBe(true);

    // A message that never was and one deleted are both not_found, each said as what it is.
    const never = await refusal(bob.react(room, id + 1000, '🎉'));
    expect(never).toMatchObject({ code: 'not_found', message: expect.stringMatching(/no such message/i) });
    await bob.delete(room, id);
    const deleted = await refusal(bob.react(room, id, '🎉'));
    expect(deleted).toMatchObject({ code: 'not_found', message: expect.stringMatching(/deleted/i) });
    expect((await refusal(bob.unreact(room, id, '👍'))).code).toBe('not_found');

    const carol = await client(carolToken);
    expect((await refusal(carol.react(room, id, '🎉'))).code).toBe('not_joined');
  });

  it('[proto.reactions.rights] guests react only where guests may write', async () => {
    const { room, id } = await scene();
    const gus = pool.client(srv, transport, { guest: `gus${transport === 'ws' ? 'w' : 's'}` });
    await gus.connect();
    await gus.join(room);
    await patchApp(srv, { guestsCanWrite: false });
    try {
      expect((await refusal(gus.react(room, id, '👍'))).code).toBe('guest_read_only');
    } finally {
      await patchApp(srv, { guestsCanWrite: true });
    }
    expect((await gus.react(room, id, '👍')).changed).toBe(true);
  });

  it('[proto.rate-limits] react and unreact are held to their own per-user limits', async () => {
    const { room, bob, id } = await scene();
    const tiny = { burst: 2, perSecond: 0.001 };
    await patchApp(srv, { limits: { ...NO_FLOOD.limits, react: tiny, unreact: tiny } });
    try {
      await bob.react(room, id, '👍');
      await bob.react(room, id, '🎉');
      const error = await refusal(bob.react(room, id, '🚀'));
      expect(error).toMatchObject({ code: 'rate_limited', details: { retryAfterMs: expect.any(Number) } });
      // unreact has a budget of its own.
      expect((await bob.unreact(room, id, '👍')).changed).toBe(true);
    } finally {
      await patchApp(srv, NO_FLOOD);
    }
  });
});
