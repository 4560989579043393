import { describe, expect, it } from 'vitest';
import { BlockedSet } from '../../src/engine/blockedSet.js';
import type { EngineEvent } from '../../src/engine/events.js';

const message = (authorId: number): EngineEvent => ({
  type: 'message',
  room: { id: 1, name: 'r' },
  message: {
    id: 1,
    room: 'r',
    roomId: 1,
    seq: 1,
    kind: 'text',
    author: { id: authorId, username: `u${authorId}`, role: 'member' },
    text: 't',
    html: 't',
    clientMsgId: null,
    createdAt: 0,
    editedAt: null,
    deletedAt: null,
    replyTo: null,
    replyCount: 0,
    reactions: [],
    mentions: [],
  },
});

describe('a session blocked set', () => {
  it('hides the messages of blocked authors only, and is null when empty', () => {
    const set = new BlockedSet();
    expect(set.hides(message(2))).toBe(false);
    set.loaded([2]);
    expect(set.hides(message(2))).toBe(true);
    expect(set.hides(message(3))).toBe(false);
    expect(set.hides({ type: 'system', room: null, text: 'x' })).toBe(false);
    const user = (id: number) => ({ id, username: `u${id}`, role: 'member' as const });
    const room = { id: 1, name: 'r' };
    expect(set.hides({ type: 'typing', room, user: user(2), typing: true })).toBe(true);
    expect(set.hides({ type: 'typing', room, user: user(3), typing: true })).toBe(false);
    expect(set.hides({ type: 'mention', room, messageId: 1, author: user(2), excerpt: 'x' })).toBe(true);
    expect(set.hides({ type: 'presence_join', room, user: user(2) })).toBe(false);
    set.apply(2, false);
    expect(set.current).toBeNull();
  });

  it('keeps a change heard before the stored set was read over the (older) read', () => {
    const set = new BlockedSet();
    set.apply(5, true);
    set.apply(7, false);
    expect(set.hides(message(5))).toBe(true);
    // The read started before the block of 5 and the unblock of 7 were committed.
    set.loaded([7]);
    expect([...(set.current ?? [])]).toEqual([5]);
  });
});
