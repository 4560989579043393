/** The numeric dialect's pure parts: frame validation, URL reading, event encoding. */
import { describe, expect, it, vi } from 'vitest';
import type { EngineEvent, MessageView } from '../../../src/engine/events.js';
import { NumericRefusal } from '../../../src/gateways/numeric/commands.js';
import { parseAppParam } from '../../../src/gateways/numeric/connection.js';
import { encodeEvent, presenceFrames, sharedFrame } from '../../../src/gateways/numeric/events.js';
import { parseClientFrame } from '../../../src/gateways/numeric/frames.js';
import { CHANNEL_RULE, isNick, MESSAGE_RULE, stripChannel } from '../../../src/gateways/numeric/rules.js';
import { readLoginUrl } from '../../../src/gateways/numeric/ws.js';

describe('parseClientFrame', () => {
  it("reads the document's requests", () => {
    expect(parseClientFrame('{"type":4,"channel":"#channel"}')).toEqual({
      ok: true,
      command: { kind: 'join', channel: 'channel' },
    });
    expect(parseClientFrame('{"type":5,"channel":"##channel"}')).toEqual({
      ok: true,
      command: { kind: 'leave', channel: 'channel' },
    });
    expect(parseClientFrame('{"type":0,"dest":"#channel","message":"hello world"}')).toEqual({
      ok: true,
      command: { kind: 'message', action: false, channel: 'channel', text: 'hello world' },
    });
    expect(parseClientFrame('{"type":7,"channel":"chan","message":" waves "}')).toEqual({
      ok: true,
      command: { kind: 'message', action: true, channel: 'chan', text: 'waves' },
    });
    expect(parseClientFrame('{"type":6}')).toEqual({ ok: true, command: { kind: 'list', channel: null } });
    expect(parseClientFrame('{"type":6,"channel":"#x1"}')).toEqual({
      ok: true,
      command: { kind: 'list', channel: 'x1' },
    });
    expect(parseClientFrame('{"type":3}')).toEqual({ ok: true, command: { kind: 'logout', user: null } });
    expect(parseClientFrame('{"type":2,"user":"nickname"}')).toEqual({
      ok: true,
      command: { kind: 'login', user: 'nickname' },
    });
  });

  it('refuses what is not a valid request with a sentence', () => {
    const refused = (raw: string) => {
      const parsed = parseClientFrame(raw);
      return parsed.ok ? null : parsed.message;
    };
    expect(refused('{"type":4,"channel":"#a"}')).toBe(CHANNEL_RULE);
    expect(refused(`{"type":4,"channel":"${'#'.repeat(1000)}ab"}`)).toBe(CHANNEL_RULE);
    expect(refused(`{"type":0,"dest":"ab","message":"${'x'.repeat(20_000)}"}`)).toBe(MESSAGE_RULE);
    expect(refused('{"type":0,"dest":"ab","message":"\\n\\t "}')).toBe(MESSAGE_RULE);
    expect(refused('{"type":4,"channel":"ab","constructor":{}}')).toBe('Unknown field "constructor".');
    expect(refused('{"type":9007199254740993}')).toBe('Field "type" must be an integer.');
    expect(refused('{"__proto__":{"type":4},"channel":"ab"}')).toBe('Missing field "type".');
  });
});

describe('rules and URLs', () => {
  it('strips leading #s only and checks nicknames as later versions did', () => {
    expect(stripChannel('##a#b')).toBe('a#b');
    expect(isNick('Zoë_42')).toBe(true);
    expect(isNick('ab-c')).toBe(false);
    expect(isNick('a')).toBe(false);
  });

  it('reads the nickname and app of the upgrade URL', () => {
    expect(readLoginUrl('/numeric/chat/login/ann?app=3')).toEqual({ nick: 'ann', app: '3' });
    expect(readLoginUrl('/numeric/chat/login/Zo%C3%AB')).toEqual({ nick: 'Zoë', app: null });
    expect(readLoginUrl('/numeric/chat/login/%E0%A4%A')).toEqual({ nick: null, app: null });
    expect(readLoginUrl('/numeric/chat/login')).toEqual({ nick: '', app: null });
    expect(parseAppParam(null)).toBe(1);
    expect(parseAppParam('')).toBe(1);
    expect(parseAppParam('12')).toBe(12);
    for (const bad of ['0', '01', 'x', '1e2', '9999999999']) {
      expect(() => parseAppParam(bad)).toThrow(NumericRefusal);
    }
  });
});

const user = { id: 7, username: 'ann', role: 'guest' as const };
const room = { id: 3, name: 'chat' };

function message(kind: MessageView['kind'], text: string): MessageView {
  return {
    id: 1,
    room: 'chat',
    roomId: 3,
    seq: 1,
    kind,
    author: kind === 'system' ? null : user,
    text,
    html: '',
    clientMsgId: null,
    createdAt: 1_700_000_000_000,
    editedAt: null,
    deletedAt: null,
    replyTo: null,
    replyCount: 0,
    reactions: [],
    mentions: [],
  };
}

describe('encodeEvent', () => {
  it('maps messages, presence and online status to frames; other events to nothing', () => {
    const decode = (event: EngineEvent) => {
      const text = encodeEvent(event);
      return text === null ? null : (JSON.parse(text) as Record<string, unknown>);
    };
    expect(decode({ type: 'message', room, message: message('text', 'hi') })).toEqual({
      type: 0,
      time: 1_700_000_000,
      dest: 'chat',
      message: 'hi',
      user: 'ann',
    });
    expect(decode({ type: 'message', room, message: message('me', 'waves') })).toMatchObject({ type: 7 });
    expect(decode({ type: 'message', room, message: message('system', 'note') })).toMatchObject({
      type: 0,
      user: '[server]',
    });
    expect(decode({ type: 'presence_join', room, user })).toMatchObject({
      type: 4,
      channel: 'chat',
      user: 'ann',
    });
    expect(decode({ type: 'presence_leave', room, user })).toMatchObject({ type: 5, channel: 'chat' });
    const bob = { ...user, id: 8, username: 'bob' };
    const batch = presenceFrames({ type: 'online_changed', online: [user], offline: [bob] });
    expect(batch.map((f) => [f.userId, f.login, JSON.parse(f.frame.text) as unknown])).toEqual([
      [8, false, expect.objectContaining({ type: 3, user: 'bob' })],
      [user.id, true, expect.objectContaining({ type: 2, user: 'ann' })],
    ]);
    expect(decode({ type: 'typing', room, user, typing: true })).toBeNull();
    expect(decode({ type: 'system', room, text: 'x' })).toBeNull();
  });

  it('encodes a shared event as encodeEvent does, the same for every recipient', () => {
    // Presence frames carry the current time: hold the clock still so that the two encodings can be compared.
    vi.useFakeTimers({ toFake: ['Date'], now: 1_796_227_216_021 });
    try {
      const event: EngineEvent = { type: 'presence_join', room, user };
      const first = sharedFrame(event);
      expect(first?.text).toBe(encodeEvent(event));
      // The ready WebSocket frame is the text behind a two-byte header (FIN + text opcode, the length).
      expect(first?.frame.subarray(2).toString('utf8')).toBe(first?.text);
      // Encoded once: a later recipient gets the same frame, not a new encoding at a later time.
      vi.advanceTimersByTime(5);
      expect(encodeEvent(event)).not.toBe(first?.text);
      expect(sharedFrame(event)).toBe(first);
    } finally {
      vi.useRealTimers();
    }
  });
});
