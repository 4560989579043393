/** The moneypot gateway's pure parts: packet encoding, validation, and the wording of replies. */
import { Encoder, PacketType } from 'socket.io-parser';
import { describe, expect, it, vi } from 'vitest';
import { ParleyError } from '../../../src/core/errors.js';
import type { EngineEvent, MessageView } from '../../../src/engine/events.js';
import {
  concernsLobby,
  encodePacket,
  packetFor,
  toMessage,
  toPush,
} from '../../../src/gateways/moneypot/frames.js';
import { CLIENT_ERRORS } from '../../../src/gateways/moneypot/protocol.js';
import { commandFeedback, commandName, replyToError } from '../../../src/gateways/moneypot/replies.js';
import { parseAuthPayload, parseMessageText, splitArgs } from '../../../src/gateways/moneypot/validation.js';

const bob = { id: 7, username: 'Bob', role: 'member' as const };

function view(overrides: Partial<MessageView> = {}): MessageView {
  return {
    id: 12,
    room: 'lobby',
    roomId: 1,
    seq: 3,
    kind: 'text',
    author: bob,
    text: 'hi',
    html: '<p>hi</p>',
    clientMsgId: null,
    createdAt: 0,
    editedAt: null,
    deletedAt: null,
    replyTo: null,
    replyCount: 0,
    reactions: [],
    mentions: [],
    ...overrides,
  };
}

describe('moneypot frames', () => {
  it('encodes packets exactly as socket.io-parser does for the /moneypot namespace', () => {
    const payload = { id: 1, user: { uname: 'Bob', role: 'member' }, text: 'a "quoted" \u2028 text' };
    const [expected] = new Encoder().encode({
      type: PacketType.EVENT,
      nsp: '/moneypot',
      data: ['new_message', payload],
    });
    expect(encodePacket('new_message', payload)).toBe(expected);
  });

  it('encodes an engine event once however many sockets receive it', () => {
    const event: EngineEvent = { type: 'message', room: { id: 1, name: 'lobby' }, message: view() };
    const stringify = vi.spyOn(JSON, 'stringify');
    const first = packetFor(event);
    const second = packetFor(event);
    expect(stringify).toHaveBeenCalledTimes(1);
    stringify.mockRestore();
    expect(second).toBe(first);
    expect(first).toBe(
      '2/moneypot,["new_message",{"id":12,"user":{"uname":"Bob","role":"member"},"text":"hi"}]',
    );
  });

  it('maps messages, presence and mutes, and drops what has no moneypot form', () => {
    const room = { id: 1, name: 'lobby' };
    expect(toMessage(view({ kind: 'me', text: 'waves' }))?.text).toBe('/me waves');
    expect(toMessage(view({ deletedAt: 5 }))).toBeNull();
    expect(toMessage(view({ author: null }))).toBeNull();
    expect(toPush({ type: 'presence_join', room, user: bob })).toEqual({
      name: 'user_joined',
      payload: { uname: 'Bob', role: 'member' },
    });
    const muted: EngineEvent = {
      type: 'muted',
      room: null,
      user: bob,
      by: null,
      minutes: 10,
      expiresAt: Date.UTC(2015, 4, 7, 21, 7, 40, 322),
      reason: '',
    };
    expect(toPush(muted)).toEqual({
      name: 'user_muted',
      payload: { uname: 'Bob', mins: 10, expires_at: '2015-05-07T21:07:40.322Z' },
    });
    expect(toPush({ type: 'typing', room, user: bob, typing: true })).toBeNull();
    expect(toPush({ type: 'system', room, text: 'x' })).toBeNull();
    expect(concernsLobby({ type: 'presence_join', room: { id: 2, name: 'x' }, user: bob }, 1)).toBe(false);
    expect(concernsLobby({ ...muted, room: { id: 2, name: 'x' } }, 1)).toBe(false);
    expect(concernsLobby(muted, 1)).toBe(true);
    expect(concernsLobby({ type: 'online_changed', online: [bob], offline: [] }, 1)).toBe(false);
  });
});

describe('moneypot validation', () => {
  it('splits the callback off the arguments', () => {
    const fn = () => {};
    expect(splitArgs(['a', fn])).toEqual({ params: ['a'], callback: fn });
    expect(splitArgs(['a'])).toEqual({ params: ['a'], callback: null });
    expect(splitArgs([])).toEqual({ params: [], callback: null });
  });

  it('reads auth payloads', () => {
    const hash = 'A'.repeat(64);
    expect(parseAuthPayload({ app_id: 2, hashed_token: hash })).toEqual({
      ok: true,
      value: { appId: 2, hash: 'a'.repeat(64) },
    });
    expect(parseAuthPayload({ app_id: 2, hashed_token: 'short' })).toEqual({
      ok: true,
      value: { appId: 2, hash: null },
    });
    expect(parseAuthPayload(JSON.parse('{"app_id":1,"__proto__":{}}'))).toEqual({
      ok: false,
      error: CLIENT_ERRORS.authUnknownKeys(['__proto__']),
    });
    expect(parseAuthPayload({ app_id: 1e10 })).toEqual({ ok: false, error: CLIENT_ERRORS.authBadAppId });
  });

  it('counts text in characters after trimming, without splitting a huge string', () => {
    expect(parseMessageText(' a ')).toEqual({ ok: true, value: 'a' });
    expect(parseMessageText('é'.repeat(140))).toEqual({ ok: true, value: 'é'.repeat(140) });
    expect(parseMessageText('x'.repeat(5_000_000))).toEqual({ ok: false, error: CLIENT_ERRORS.textLength });
    expect(parseMessageText('\n\t ')).toEqual({ ok: false, error: CLIENT_ERRORS.textLength });
  });
});

describe('moneypot replies', () => {
  const command = (error: ParleyError['code'] | null, text = 'engine text') =>
    ({ kind: 'command', command: 'mute', text, error }) as const;

  it('words command outcomes as the original server did', () => {
    expect(commandName('/MuTe x 5')).toBe('mute');
    expect(commandName('hello')).toBeNull();
    expect(commandFeedback(command(null, 'User "x" muted for 5 minutes'), '/mute x 5')).toBe(
      'User "x" muted for 5 minutes',
    );
    expect(commandFeedback(command('forbidden'), '/unmute x')).toBe('You are not authorized to do that');
    expect(commandFeedback(command('bad_request'), '/mute')).toBe('Invalid mute command');
    expect(commandFeedback(command('bad_request'), '/unmute')).toBe('Invalid unmute command');
    expect(commandFeedback(command('bad_request', 'Usage: /ban user'), '/ban')).toBe('Usage: /ban user');
    expect(commandFeedback(command('not_found'), '/unmute x')).toBe('User not in mutelist');
    expect(commandFeedback(command('not_found', 'No user named x'), '/mute x 5')).toBe('No user named x');
  });

  it('maps engine errors to callback constants', () => {
    expect(replyToError(new ParleyError('muted', 'You are muted for 3 minutes'))).toEqual({
      error: 'MUTED',
      systemMessage: 'You are muted',
    });
    expect(replyToError(new ParleyError('rate_limited', undefined, { retryAfterMs: 2500 }))).toEqual({
      error: 'RATE_LIMITED',
      systemMessage: 'You are sending messages too fast; wait 3 s',
    });
    expect(replyToError(new ParleyError('unauthorized')).error).toBe('USER_REQUIRED');
    expect(replyToError(new ParleyError('guest_read_only')).error).toBe('USER_REQUIRED');
    expect(replyToError(new ParleyError('unavailable'))).toEqual({
      error: 'INTERNAL_ERROR',
      internal: false,
    });
    expect(replyToError(new Error('boom'))).toEqual({ error: 'INTERNAL_ERROR', internal: true });
    expect(replyToError(new ParleyError('not_joined', 'Join lobby first'))).toEqual({
      error: 'INTERNAL_ERROR',
      systemMessage: 'Join lobby first',
    });
  });
});
