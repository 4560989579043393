/**
 * The protocol's own lists and the gateway's mapping agree with the server's catalogues, and the mapping leaves
 * every push byte for byte as the engine event would have been encoded without it.
 */
import { describe, expect, it } from 'vitest';
import { DISCONNECT_CATALOGUE } from '../../src/core/disconnect.js';
import { ERROR_CODES as SERVER_ERROR_CODES } from '../../src/core/errors.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { encodeSocketIoPush } from '../../src/gateways/native/socketio.js';
import { toWireEvent } from '../../src/gateways/native/wire.js';
import { encodeWsPush } from '../../src/gateways/native/ws.js';
import { DISCONNECT_REASONS, ERROR_CODES, NATIVE_EVENTS } from '../../src/protocol/native.js';

const room = { id: 3, name: 'lobby' };
const ann = { id: 1, username: 'ann', role: 'member' as const };
const mod = { id: 2, username: 'mo', role: 'mod' as const };
const roomView = {
  id: 3,
  name: 'lobby',
  visibility: 'public' as const,
  topic: 'hi',
  createdAt: 1,
  lastSeq: 7,
  online: 2,
  createdBy: null,
};
const message = {
  id: 9,
  room: 'lobby',
  roomId: 3,
  seq: 7,
  kind: 'text' as const,
  author: ann,
  text: 'hello',
  html: '<p>hello</p>',
  clientMsgId: null,
  createdAt: 5,
  editedAt: null,
  deletedAt: null,
  replyTo: null,
  replyCount: 0,
  reactions: [],
  mentions: [],
};

/** One engine event of every type. */
const EVENTS: EngineEvent[] = [
  { type: 'message', room, message },
  { type: 'message_edited', room, message: { ...message, editedAt: 6 } },
  { type: 'message_deleted', room, message: { ...message, deletedAt: 6 } },
  { type: 'presence_join', room, user: ann },
  { type: 'presence_leave', room, user: ann },
  { type: 'typing', room, user: ann, typing: true },
  { type: 'room_created', room: roomView },
  { type: 'room_updated', room: roomView },
  { type: 'room_deleted', room },
  { type: 'muted', room: null, user: ann, by: mod, minutes: 5, expiresAt: 300_005, reason: 'calm' },
  { type: 'unmuted', room, user: ann, by: null },
  { type: 'banned', user: ann, by: mod, expiresAt: null, reason: '' },
  { type: 'unbanned', user: ann, by: mod },
  { type: 'kicked', user: ann, by: mod, reason: 'bye' },
  { type: 'system', room: null, text: 'Commands: /me' },
  { type: 'gap', room, afterSeq: 3, beforeSeq: 9 },
  { type: 'online_changed', online: [ann], offline: [mod] },
  { type: 'message_pinned', room, message, by: mod },
  { type: 'message_unpinned', room, message, by: null },
  { type: 'reaction_changed', room, messageId: 1, emoji: '👍', count: 2, user: ann, added: true },
  { type: 'mention', room, messageId: 9, author: ann, excerpt: 'hello @mod' },
  { type: 'read', room, seq: 7 },
  { type: 'read_receipt', room, user: ann, seq: 7 },
  { type: 'block_changed', user: ann, blocked: true },
  { type: 'dm_message', room, message },
  { type: 'user_renamed', room, from: mod, to: ann },
  { type: 'profile_changed', user: { ...ann, displayName: 'Ann', avatarUrl: 'https://e.com/ann.png' } },
  { type: 'message_hidden', room, messageId: 9, seq: 7 },
  { type: 'report_created', room, messageId: 9, reporters: 2, reason: 'spam' },
  { type: 'shadow_muted', user: ann, by: mod, expiresAt: null, reason: 'spam' },
  { type: 'shadow_unmuted', user: ann, by: null },
  { type: 'slow_mode_changed', room, seconds: 30, by: mod },
  { type: 'warning', reason: 'Automatic: 1 strike (latest: flood)', source: 'flood', strikes: 1 },
  {
    type: 'message_preview',
    room,
    message: { ...message, preview: { url: 'https://e.com/a', title: 'A', imageUrl: 'https://e.com/a.png' } },
  },
  { type: 'command', id: 'c1', room, command: 'weather', args: 'Paris', user: ann },
];

/** How a push was encoded before the wire had types of its own. */
function before(event: EngineEvent): { event: string; data: unknown } {
  const { type, ...data } = event;
  return { event: type, data };
}

describe('the protocol against the server', () => {
  it("lists exactly the server's error codes, in its order", () => {
    expect([...ERROR_CODES]).toEqual(SERVER_ERROR_CODES);
  });

  it('promises exactly the close codes and messages the server closes with', () => {
    expect(DISCONNECT_REASONS).toEqual(DISCONNECT_CATALOGUE);
  });

  it('the sample covers every server event', () => {
    expect(EVENTS.map((event) => event.type)).toEqual([...NATIVE_EVENTS]);
  });
});

describe('toWireEvent', () => {
  it.each(EVENTS.map((event) => [event.type, event] as const))('%s goes out as it did', (_type, event) => {
    const wire = toWireEvent(event);
    expect(wire).toEqual(before(event));
    expect(JSON.stringify(wire)).toBe(JSON.stringify(before(event)));
    expect(encodeWsPush(event)).toBe(JSON.stringify(before(event)));
    expect(encodeSocketIoPush(event)).toBe('2' + JSON.stringify([event.type, before(event).data]));
  });

  it('shares the nested values instead of copying them', () => {
    const event: EngineEvent = { type: 'message', room, message };
    const wire = toWireEvent(event);
    expect(wire.event).toBe('message');
    if (wire.event !== 'message') return;
    expect(wire.data.message).toBe(message);
    expect(wire.data.room).toBe(room);
  });
});
