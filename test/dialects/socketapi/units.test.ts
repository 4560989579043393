/** The socketapi gateway's pure parts: validation, the transaction read, event mapping and the outbox. */
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src/engine/events.js';
import { encodePacket, encodePush, toMessageModel } from '../../../src/gateways/socketapi/encode.js';
import { eventLabel, parsePayload, readTransaction } from '../../../src/gateways/socketapi/frames.js';
import { Outbox } from '../../../src/gateways/socketapi/outbox.js';

const room = {
  id: 4,
  name: 'general',
  visibility: 'private' as const,
  topic: '',
  createdAt: 0,
  lastSeq: 0,
  online: 0,
  createdBy: 9,
};
const user = { id: 9, username: 'ann', role: 'member' as const };
const message = {
  id: 11,
  room: 'general',
  roomId: 4,
  seq: 1,
  kind: 'text' as const,
  author: user,
  text: 'hi',
  html: '<p>hi</p>',
  clientMsgId: null,
  createdAt: Date.UTC(2026, 0, 1),
  editedAt: null,
  deletedAt: null,
  replyTo: null,
  replyCount: 0,
  reactions: [],
  mentions: [],
};

describe('socketapi frames', () => {
  it('parses the document’s auth and the `token` alias, strictly', () => {
    expect(parsePayload('auth', { transaction: 't', data: 'abc' })).toEqual({
      transaction: 't',
      data: 'abc',
    });
    expect(parsePayload('auth', { token: 'abc' })).toEqual({ token: 'abc' });
    expect(() => parsePayload('auth', { data: 'a', token: 'b' })).toThrow(/^data: /);
    expect(() => parsePayload('auth', { data: 'a', role: 'owner' })).toThrow('role: unknown field');
    expect(() => parsePayload('auth', 'abc')).toThrow('auth expects an object');
    expect(() => parsePayload('auth', undefined)).toThrow('auth expects an object');
    expect(parsePayload('get-channels', undefined)).toEqual({});
    expect(() => parsePayload('join-channel', { channelId: '1' })).toThrow(/^channelId: /);
    expect(() => parsePayload('send-message', { channelId: 1, text: 'x'.repeat(65_537) })).toThrow(/^text: /);
  });

  it('reads a valid transaction from any payload, and nothing else', () => {
    expect(readTransaction({ transaction: 'abc', junk: [1] })).toBe('abc');
    expect(readTransaction({ transaction: 'x'.repeat(128) })).toBe('x'.repeat(128));
    expect(readTransaction({ transaction: 'x'.repeat(129) })).toBeNull();
    expect(readTransaction({ transaction: '' })).toBeNull();
    expect(readTransaction({ transaction: 5 })).toBeNull();
    expect(readTransaction(JSON.parse('{"__proto__":{"transaction":"inherited"}}'))).toBeNull();
    expect(readTransaction(['transaction'])).toBeNull();
    expect(readTransaction('transaction')).toBeNull();
    expect(readTransaction(null)).toBeNull();
  });

  it('names events in errors with a bounded label', () => {
    expect(eventLabel('auth')).toBe('auth');
    expect(eventLabel(7)).toBe('7');
    expect(eventLabel({ toString: () => 'x' })).toBe('');
    expect(eventLabel('e'.repeat(500))).toHaveLength(128);
  });
});

describe('socketapi event mapping', () => {
  it('encodes socket.io EVENT packets for the /socketapi namespace', () => {
    expect(encodePacket('auth-success', { transaction: 't', userId: 1 })).toBe(
      '2/socketapi,["auth-success",{"transaction":"t","userId":1}]',
    );
    expect(encodePacket('socket-api-error-t', 'text')).toBe('2/socketapi,["socket-api-error-t","text"]');
  });

  it('maps channel events to ChannelModel variants and presence to online-status-updated', () => {
    const created = encodePush({ type: 'room_created', room }, 3);
    expect(created).toEqual({
      kind: 'channel-created',
      channelId: 4,
      name: 'general',
      packet:
        '2/socketapi,["channel-created",{"id":4,"name":"general","is_private":true,"workspace_id":3,"creator_id":9}]',
    });
    const updated = encodePush({ type: 'room_updated', room }, 3);
    expect(updated).toMatchObject({ kind: 'channel-updated', isPrivate: true });
    expect(encodePush({ type: 'room_deleted', room: { id: 4, name: 'general' } }, 3)).toEqual({
      kind: 'channel-deleted',
      channelId: 4,
      packet: '2/socketapi,["channel-deleted",{"channelId":4}]',
    });
    expect(encodePush({ type: 'online_changed', online: [], offline: [user] }, 3)).toEqual({
      kind: 'packets',
      packets: ['2/socketapi,["online-status-updated",{"userId":9,"onlineStatus":"offline"}]'],
    });
  });

  it('has no event for typing, room presence, others’ moderation or command echoes', () => {
    const silent: EngineEvent[] = [
      { type: 'typing', room, user, typing: true },
      { type: 'presence_join', room, user },
      { type: 'presence_leave', room, user },
      { type: 'muted', room: null, user, by: null, minutes: 1, expiresAt: 1, reason: '' },
      { type: 'unmuted', room: null, user, by: null },
      { type: 'banned', user, by: null, expiresAt: null, reason: '' },
      { type: 'unbanned', user, by: null },
      { type: 'kicked', user, by: null, reason: '' },
      { type: 'system', room: null, text: 'help' },
    ];
    for (const event of silent) expect(encodePush(event, 1)).toEqual({ kind: 'none' });
  });

  it('turns messages into snake_case MessageModels with ISO dates', () => {
    expect(toMessageModel(message)).toEqual({
      id: 11,
      channel_id: 4,
      user_id: 9,
      username: 'ann',
      kind: 'text',
      text: 'hi',
      html: '<p>hi</p>',
      created_at: '2026-01-01T00:00:00.000Z',
      edited_at: null,
    });
    expect(encodePush({ type: 'gap', room, afterSeq: 3, beforeSeq: 10 }, 1)).toEqual({
      kind: 'packet',
      packet: '2/socketapi,["messages-missed",{"channelId":4,"count":6}]',
    });
  });
});

describe('socketapi outbox', () => {
  it('keeps order across an asynchronous step and counts what is queued', async () => {
    const written: string[] = [];
    const errors: unknown[] = [];
    const outbox = new Outbox((err) => errors.push(err));
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    outbox.push(() => void written.push('a'), 1);
    outbox.push(async () => {
      await gate;
      written.push('b');
    }, 10);
    outbox.push(() => {
      throw new Error('boom');
    }, 100);
    outbox.push(() => void written.push('c'), 1000);
    expect(written).toEqual(['a']);
    expect(outbox.queuedBytes).toBe(1100);
    release();
    await gate;
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual(['a', 'b', 'c']);
    expect(errors).toHaveLength(1);
    expect(outbox.queuedBytes).toBe(0);
    outbox.stop();
    outbox.push(() => void written.push('d'), 1);
    expect(written).toEqual(['a', 'b', 'c']);
  });
});
