/**
 * The connection state machine and the frame mapping without a network: a fake engine whose `authenticate`
 * the test settles by hand, and a socket that records what would be emitted.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/load.js';
import type { Session, SessionSink } from '../../../src/engine/api.js';
import type { Principal } from '../../../src/core/identity.js';
import type { EngineApi } from '../../../src/engine/api.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import { EventchatConnection, MAX_PENDING_EVENTS } from '../../../src/gateways/eventchat/connection.js';
import type { EventchatSocket } from '../../../src/gateways/eventchat/connection.js';
import { messageFrame, roomFrame, roomPacket } from '../../../src/gateways/eventchat/frames.js';
import type { OutboundFrame } from '../../../src/gateways/eventchat/protocol.js';
import { waitFor } from '../../helpers/wait.js';

class FakeSocket implements EventchatSocket {
  connected = true;
  readonly frames: OutboundFrame[] = [];
  readonly packets: string[] = [];
  emit(frame: OutboundFrame): void {
    this.frames.push(frame);
  }
  writePacket(packet: string): void {
    this.packets.push(packet);
  }
  bufferedBytes(): number {
    return 0;
  }
  disconnect(): void {
    this.connected = false;
  }
  events(name: string): unknown[] {
    return this.frames.filter((f) => f.event === name).map((f) => f.data);
  }
}

const user = {
  id: 7,
  appId: 1,
  username: 'ann',
  role: 'member' as const,
  kind: 'account' as const,
  createdAt: 0,
};
const room = { id: 3, name: 'stream' };

function fakeEngine() {
  let settleAuth: ((principal: Principal) => void) | null = null;
  const sent: string[] = [];
  let sink: SessionSink | null = null;
  const session = {
    id: 's1',
    appId: 1,
    user: { id: user.id, username: user.username, role: user.role },
    join: async () => ({
      room: {
        ...room,
        visibility: 'public',
        topic: '',
        createdAt: 0,
        lastSeq: 0,
        online: 1,
        createdBy: null,
      },
      messages: [],
      gap: null,
      lastSeq: 0,
      online: [{ id: user.id, username: user.username, role: user.role }],
    }),
    send: async (_room: string, input: { text: string }) => {
      sent.push(input.text);
      return { kind: 'command', command: 'help', text: '', error: null };
    },
    close: () => {},
  };
  const engine = {
    getApp: async () => ({ id: 1, name: 'default', settings: { allowedOrigins: null }, createdAt: 0 }),
    authenticate: () => new Promise<Principal>((resolve) => (settleAuth = resolve)),
    openSession: (_principal: Principal, s: SessionSink) => {
      sink = s;
      return session as unknown as Session;
    },
  } as unknown as EngineApi;
  return {
    engine,
    sent,
    /** Settles the pending `authenticate` once it has been called. */
    settle: async () => {
      const settle = await waitFor(() => settleAuth, { label: 'authenticate called' });
      settle({ appId: 1, user, expiresAt: null, via: 'password' });
    },
    sink: () => sink,
  };
}

function connection(engine: EngineApi, socket: FakeSocket): EventchatConnection {
  const config = { ...defaultConfig(), authTimeoutMs: 60_000 };
  const conn = new EventchatConnection({ engine, config, logger: pino({ level: 'silent' }) }, socket, 'test');
  conn.start({ app: '1', origin: undefined });
  return conn;
}

describe('eventchat connection (no network)', () => {
  it('holds events behind a pending `Auth`, refuses more than the queue bound with 429, then runs the rest in order', async () => {
    const fake = fakeEngine();
    const socket = new FakeSocket();
    const conn = connection(fake.engine, socket);
    await waitFor(() => socket.events('connection').length === 1);
    conn.receive('Auth', [{ user: 'ann', password: 'secret-password', room: 'stream' }]);
    const extra = 5;
    for (let i = 0; i < MAX_PENDING_EVENTS + extra; i++) conn.receive('message', [{ raw_content: `m${i}` }]);
    // The Auth and the first 63 messages wait; the rest is refused at once.
    const refused = socket.events('cerror');
    expect(refused).toHaveLength(extra + 1);
    for (const error of refused) expect(error).toEqual({ Code: 429, message: expect.any(String) });
    await fake.settle();
    await waitFor(() => fake.sent.length === MAX_PENDING_EVENTS - 1, { label: 'the queued messages' });
    expect(fake.sent).toEqual(Array.from({ length: MAX_PENDING_EVENTS - 1 }, (_, i) => `m${i}`));
    expect(socket.events('Auth')).toEqual([{ Code: 200, message: 'Authentification complete' }]);
    conn.closedBySocket();
  });

  it('maps the engine’s events: room frames once as packets, personal ones as emits, other rooms ignored', async () => {
    const fake = fakeEngine();
    const socket = new FakeSocket();
    const conn = connection(fake.engine, socket);
    conn.receive('Auth', [{ user: 'ann', password: 'secret-password', room: 'stream' }]);
    await fake.settle();
    await waitFor(() => socket.events('Auth').length === 1);
    const sink = fake.sink();
    if (!sink) throw new Error('no session');
    const message = {
      id: 11,
      room: 'stream',
      roomId: room.id,
      seq: 1,
      kind: 'text' as const,
      author: { id: 8, username: 'bob', role: 'member' as const },
      text: 'hi <b>',
      html: '<p>hi &lt;b&gt;</p>',
      clientMsgId: null,
      createdAt: 0,
      editedAt: null,
      deletedAt: null,
      replyTo: null,
      replyCount: 0,
      reactions: [],
      mentions: [],
    };
    const event: EngineEvent = { type: 'message', room, message };
    sink.deliver(event);
    sink.deliver({
      type: 'message',
      room: { id: 99, name: 'elsewhere' },
      message: { ...message, roomId: 99 },
    });
    sink.deliver({ type: 'typing', room, user: message.author, typing: true });
    sink.deliver({ type: 'online_changed', online: [message.author], offline: [] });
    expect(socket.packets).toEqual([roomPacket(event)]);
    expect(socket.packets[0]).toBe(
      '2/eventchat,["message",{"id":11,"user":"bob","content":"<p>hi &lt;b&gt;</p>","raw_content":"hi <b>"}]',
    );
    // A second session receiving the same event object reuses the same encoding.
    expect(roomPacket(event)).toBe(socket.packets[0]);
    sink.deliver({ type: 'system', room, text: 'a <reply>' });
    expect(socket.events('message')).toEqual([
      { user: '[system]', content: 'a &lt;reply&gt;', raw_content: 'a <reply>' },
    ]);
    // Mutes of someone else say nothing; one's own says how long.
    const self = { id: user.id, username: 'ann', role: 'member' as const };
    const by = null;
    sink.deliver({ type: 'muted', room, user: message.author, by, minutes: 1, expiresAt: null, reason: '' });
    sink.deliver({
      type: 'muted',
      room: null,
      user: self,
      by,
      minutes: null,
      expiresAt: null,
      reason: '',
    });
    expect(socket.events('mute')).toEqual([{ duration: null }]);
    // A ban: the reason is kept for the `ban` event sent when the engine terminates the session.
    sink.deliver({
      type: 'banned',
      user: self,
      by,
      expiresAt: null,
      reason: 'spam',
    });
    sink.terminate({ reason: 'banned', code: 4005, message: 'Banned' });
    expect(socket.events('ban')).toEqual([{ message: 'You are banned', reason: 'spam' }]);
    expect(socket.connected).toBe(false);
    expect(conn.closed).toBe(true);
  });

  it('renders `/me` with its raw form and authorless messages as [system]', () => {
    const base = {
      id: 1,
      room: 'r',
      roomId: 1,
      seq: 1,
      author: null,
      clientMsgId: null,
      createdAt: 0,
      editedAt: null,
      deletedAt: null,
      replyTo: null,
      replyCount: 0,
      reactions: [],
      mentions: [],
    };
    expect(messageFrame({ ...base, kind: 'me', text: 'waves', html: 'waves' })).toEqual({
      id: 1,
      user: '[system]',
      content: 'waves',
      raw_content: '/me waves',
    });
    expect(roomFrame({ type: 'presence_join', room, user: { id: 2, username: 'x', role: 'guest' } })).toEqual(
      { event: 'join', data: { user: 'x' } },
    );
    expect(roomFrame({ type: 'room_deleted', room })).toBeNull();
  });
});
