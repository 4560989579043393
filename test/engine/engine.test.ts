import { afterEach, describe, expect, it } from 'vitest';
import { ParleyError } from '../../src/core/errors.js';
import type { Role } from '../../src/core/roles.js';
import type { Engine } from '../../src/engine/engine.js';
import type { EngineSession } from '../../src/engine/session.js';
import { createTestEngine, ManualClock, RecordingSink, type TestEngine } from '../helpers/engine.js';

let ctx: TestEngine;
afterEach(async () => {
  await ctx?.close();
});

async function connect(engine: Engine, username: string, role: Role = 'member') {
  const existing = await engine.listUsers(1, { limit: 1000 });
  if (!existing.some((u) => u.username === username)) await engine.createUser(1, { username, role });
  const { token } = await engine.issueToken(1, username);
  const principal = await engine.authenticate(1, { kind: 'token', token });
  const sink = new RecordingSink();
  const session = engine.openSession(principal, sink, {
    transport: 'test',
    dialect: 'native',
  }) as EngineSession;
  return { session, sink };
}

/** Lets held join events go out (they are released on setImmediate, after the join's reply). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

async function rejects(promise: Promise<unknown>, code: string) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ParleyError);
  expect((err as ParleyError).code).toBe(code);
}

describe('engine', () => {
  it('[engine.fanout] delivers a committed message to every member, the sender included', async () => {
    ctx = await createTestEngine();
    const a = await connect(ctx.engine, 'alice');
    const b = await connect(ctx.engine, 'bob');
    await a.session.join('lobby');
    await b.session.join('lobby');
    const result = await a.session.send('lobby', { text: 'hello *world*' });
    expect(result.kind).toBe('message');
    const got = await b.sink.next('message');
    expect(got.message.text).toBe('hello *world*');
    expect(got.message.html).toBe('<p>hello <em>world</em></p>');
    expect(got.message.seq).toBe(1);
    expect((await a.sink.next('message')).message.id).toBe(got.message.id);
  });

  it('[engine.send.idempotent] a retry with the same clientMsgId returns the original and stores nothing new', async () => {
    ctx = await createTestEngine();
    const a = await connect(ctx.engine, 'alice');
    await a.session.join('lobby');
    const first = await a.session.send('lobby', { text: 'once', clientMsgId: 'c-1' });
    const again = await a.session.send('lobby', { text: 'once', clientMsgId: 'c-1' });
    if (first.kind !== 'message' || again.kind !== 'message') throw new Error('expected messages');
    expect(again.duplicate).toBe(true);
    expect(again.message.id).toBe(first.message.id);
    expect(await ctx.store.messages.lastSeq(first.message.roomId)).toBe(1);
    await settle();
    expect(a.sink.of('message')).toHaveLength(1);
  });

  it('[engine.html.safe] raw html never passes through and javascript: links are dropped', async () => {
    ctx = await createTestEngine();
    const a = await connect(ctx.engine, 'alice');
    await a.session.join('lobby');
    const r = await a.session.send('lobby', {
      text: '<img src=x onerror=alert(1)> [x](javascript:alert(1))',
    });
    if (r.kind !== 'message') throw new Error('expected a message');
    expect(r.message.html).not.toContain('<img');
    expect(r.message.html).toContain('&lt;img');
    expect(r.message.html).not.toContain('href="javascript');
  });

  it('[engine.text.limits] rejects empty and too-long text with catalogue errors', async () => {
    ctx = await createTestEngine();
    await ctx.engine.updateApp(1, { settings: { maxMessageLength: 5 } });
    const a = await connect(ctx.engine, 'alice');
    await a.session.join('lobby');
    await rejects(a.session.send('lobby', { text: '   ' }), 'bad_request');
    await rejects(a.session.send('lobby', { text: '123456' }), 'too_long');
    await rejects(a.session.send('nowhere', { text: 'x' }), 'not_found');
  });

  it('[engine.join.required] sending to a room not joined is refused', async () => {
    ctx = await createTestEngine();
    const a = await connect(ctx.engine, 'alice');
    await rejects(a.session.send('lobby', { text: 'hi' }), 'not_joined');
  });

  it('[engine.flood] answers rate_limited once the bucket is empty, never drops silently', async () => {
    const clock = new ManualClock();
    ctx = await createTestEngine({ clock });
    await ctx.engine.updateApp(1, { settings: { flood: { burst: 3, perSecond: 1 } } });
    const a = await connect(ctx.engine, 'alice');
    await a.session.join('lobby');
    for (let i = 0; i < 3; i++) await a.session.send('lobby', { text: `m${i}` });
    await rejects(a.session.send('lobby', { text: 'too many' }), 'rate_limited');
    clock.advance(1000);
    expect((await a.session.send('lobby', { text: 'again' })).kind).toBe('message');
  });

  it('[engine.mute.expiry] a mute blocks sending until it expires; staff are not stopped by mutes', async () => {
    const clock = new ManualClock();
    ctx = await createTestEngine({ clock });
    const mod = await connect(ctx.engine, 'mo', 'mod');
    const a = await connect(ctx.engine, 'alice');
    await a.session.join('lobby');
    await mod.session.join('lobby');
    await mod.session.mute('alice', { minutes: 2, reason: 'spam' });
    const muted = await a.sink.next('muted');
    expect(muted.user.username).toBe('alice');
    expect(muted.expiresAt).toBe(clock.now() + 120_000);
    await rejects(a.session.send('lobby', { text: 'hi' }), 'muted');
    clock.advance(120_001);
    expect((await a.session.send('lobby', { text: 'free again' })).kind).toBe('message');
  });

  it('[engine.roles.order] a mod cannot mute an admin, a member cannot mute anyone', async () => {
    ctx = await createTestEngine();
    const mod = await connect(ctx.engine, 'mo', 'mod');
    const admin = await connect(ctx.engine, 'ad', 'admin');
    const member = await connect(ctx.engine, 'me', 'member');
    await rejects(mod.session.mute('ad', {}), 'forbidden');
    await rejects(member.session.mute('mo', {}), 'forbidden');
    await admin.session.mute('mo', { minutes: 1 });
    await rejects(mod.session.kick('nobody', {}), 'not_found');
  });

  it('[engine.commands] slash commands run and answer the sender with a system message', async () => {
    ctx = await createTestEngine();
    const mod = await connect(ctx.engine, 'mo', 'mod');
    const a = await connect(ctx.engine, 'alice');
    await mod.session.join('lobby');
    await a.session.join('lobby');
    const r = await mod.session.send('lobby', { text: '/mute alice 10 flooding' });
    expect(r).toMatchObject({ kind: 'command', command: 'mute', error: null });
    expect((await mod.sink.next('system')).text).toBe('User "alice" muted for 10 minutes');
    await rejects(a.session.send('lobby', { text: 'hi' }), 'muted');
    const denied = await a.session.send('lobby', { text: '/unmute alice' });
    expect(denied).toMatchObject({ kind: 'command', error: 'forbidden' });
    const bad = await mod.session.send('lobby', { text: '/mute alice soon' });
    expect(bad).toMatchObject({ kind: 'command', error: 'bad_request' });
    await mod.session.send('lobby', { text: '/unmute alice' });
    const me = await a.session.send('lobby', { text: '/me waves' });
    if (me.kind !== 'message') throw new Error('expected a message');
    expect(me.message.kind).toBe('me');
    expect(me.message.text).toBe('waves');
    const help = await a.session.send('lobby', { text: '/help' });
    expect(help.kind === 'command' && help.text.includes('/mute')).toBe(true);
  });

  it('[engine.kick] a kick disconnects every connection of the user; a ban also blocks authenticating', async () => {
    ctx = await createTestEngine();
    const admin = await connect(ctx.engine, 'ad', 'admin');
    const a1 = await connect(ctx.engine, 'alice');
    const a2 = await connect(ctx.engine, 'alice');
    await admin.session.kick('alice', { reason: 'bye' });
    expect(a1.sink.terminated?.reason).toBe('kicked');
    expect(a2.sink.terminated?.reason).toBe('kicked');
    const b = await connect(ctx.engine, 'bob');
    await admin.session.ban('bob', { minutes: 5 });
    expect(b.sink.terminated?.reason).toBe('banned');
    const { token } = await ctx.engine.issueToken(1, 'bob');
    await rejects(ctx.engine.authenticate(1, { kind: 'token', token }), 'banned');
    await admin.session.unban('bob');
    await expect(ctx.engine.authenticate(1, { kind: 'token', token })).resolves.toBeTruthy();
  });

  it('[engine.presence.per-user] joined once per user, left when the last connection goes', async () => {
    ctx = await createTestEngine();
    const watcher = await connect(ctx.engine, 'watcher');
    await watcher.session.join('lobby');
    const a1 = await connect(ctx.engine, 'alice');
    const a2 = await connect(ctx.engine, 'alice');
    await a1.session.join('lobby');
    await a2.session.join('lobby');
    await settle();
    expect(watcher.sink.of('presence_join').filter((e) => e.user.username === 'alice')).toHaveLength(1);
    expect((await watcher.session.members('lobby')).online.map((u) => u.username).sort()).toEqual([
      'alice',
      'watcher',
    ]);
    a1.session.close();
    expect(watcher.sink.of('presence_leave')).toHaveLength(0);
    a2.session.close();
    expect((await watcher.sink.next('presence_leave')).user.username).toBe('alice');
  });

  it('[engine.presence.grace] a reconnect within the grace period does not flap', async () => {
    ctx = await createTestEngine({ config: { presenceGraceMs: 60_000 } });
    const watcher = await connect(ctx.engine, 'watcher');
    await watcher.session.join('lobby');
    const a1 = await connect(ctx.engine, 'alice');
    await a1.session.join('lobby');
    a1.session.close();
    const a2 = await connect(ctx.engine, 'alice');
    await a2.session.join('lobby');
    await settle();
    expect(watcher.sink.of('presence_leave')).toHaveLength(0);
    expect(watcher.sink.of('presence_join').filter((e) => e.user.username === 'alice')).toHaveLength(1);
  });

  it('[engine.presence.app] app-wide online/offline only reaches sessions that watch it', async () => {
    ctx = await createTestEngine({ config: { presenceGraceMs: 0 } });
    const quiet = await connect(ctx.engine, 'quiet');
    const watcher = await connect(ctx.engine, 'watcher');
    expect(
      watcher.session
        .watchOnline()
        .online.map((u) => u.username)
        .sort(),
    ).toEqual(['quiet', 'watcher']);
    const a = await connect(ctx.engine, 'alice');
    await watcher.sink.nextPresence('alice', true);
    a.session.close({ immediate: true });
    await watcher.sink.nextPresence('alice', false);
    await settle();
    expect(quiet.sink.of('online_changed')).toHaveLength(0);
  });

  it('[engine.presence.leave] leaving on purpose (or logging out) needs no grace period', async () => {
    ctx = await createTestEngine({ config: { presenceGraceMs: 60_000 } });
    const watcher = await connect(ctx.engine, 'watcher');
    await watcher.session.join('lobby');
    watcher.session.watchOnline();
    const a = await connect(ctx.engine, 'alice');
    await a.session.join('lobby');
    await a.session.leave('lobby');
    expect((await watcher.sink.next('presence_leave')).user.username).toBe('alice');
    const b = await connect(ctx.engine, 'bob');
    await b.session.join('lobby');
    b.session.close({ immediate: true });
    expect((await watcher.sink.next('presence_leave', (e) => e.user.username === 'bob')).user.username).toBe(
      'bob',
    );
    await watcher.sink.nextPresence('bob', false);
  });

  it('[engine.resume] a join with sinceSeq replays exactly what was missed', async () => {
    ctx = await createTestEngine();
    const a = await connect(ctx.engine, 'alice');
    await a.session.join('lobby');
    for (let i = 1; i <= 10; i++) await a.session.send('lobby', { text: `m${i}` });
    const b = await connect(ctx.engine, 'bob');
    const joined = await b.session.join('lobby', { sinceSeq: 4 });
    expect(joined.gap).toBeNull();
    expect(joined.messages.map((m) => m.seq)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(joined.lastSeq).toBe(10);
  });

  it('[engine.resume.gap] past the replay limit the join says so, with a cursor to page back', async () => {
    ctx = await createTestEngine();
    await ctx.engine.updateApp(1, { settings: { replayLimit: 5, joinHistory: 3 } });
    const a = await connect(ctx.engine, 'alice');
    await a.session.join('lobby');
    for (let i = 1; i <= 20; i++) await ctx.engine.publish(1, 'lobby', { username: 'alice', text: `m${i}` });
    const b = await connect(ctx.engine, 'bob');
    const joined = await b.session.join('lobby', { sinceSeq: 2 });
    expect(joined.messages.map((m) => m.seq)).toEqual([18, 19, 20]);
    expect(joined.gap).toEqual({ afterSeq: 2, beforeSeq: 18, missed: 15 });
    const page = await b.session.history('lobby', { before: 18, limit: 10 });
    expect(page.messages.map((m) => m.seq)).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect(page.nextCursor).toBe(8);
  });

  it('[engine.join.ordering] messages committed while a join is answered follow its reply, none twice', async () => {
    ctx = await createTestEngine();
    await ctx.engine.updateApp(1, { settings: { flood: { burst: 100, perSecond: 100 } } });
    const a = await connect(ctx.engine, 'alice');
    await a.session.join('lobby');
    const b = await connect(ctx.engine, 'bob');
    const sends = Promise.all(
      Array.from({ length: 20 }, (_, i) => a.session.send('lobby', { text: `m${i}` })),
    );
    const joined = await b.session.join('lobby', { sinceSeq: 0 });
    await sends;
    await settle();
    const live = b.sink.of('message').map((e) => e.message.seq);
    const all = [...joined.messages.map((m) => m.seq), ...live];
    expect(all).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('[engine.slow-consumer] a session whose buffer is over the hard cap is disconnected, others are not', async () => {
    ctx = await createTestEngine({ config: { outboundBufferBytes: 1000, outboundHardCapBytes: 4000 } });
    const a = await connect(ctx.engine, 'alice');
    const slow = await connect(ctx.engine, 'slow');
    await a.session.join('lobby');
    await slow.session.join('lobby');
    await settle();
    slow.sink.buffered = 5000;
    await a.session.send('lobby', { text: 'hi' });
    expect(slow.sink.terminated?.reason).toBe('slow_consumer');
    expect(a.sink.of('message')).toHaveLength(1);
  });

  it('[engine.slow-consumer] a burst over the soft bound is not cut; staying over it past the grace is', async () => {
    const clock = new ManualClock();
    ctx = await createTestEngine({
      clock,
      config: { outboundBufferBytes: 1000, outboundHardCapBytes: 100_000, slowConsumerGraceMs: 2000 },
    });
    const a = await connect(ctx.engine, 'alice');
    const reader = await connect(ctx.engine, 'reader');
    await a.session.join('lobby');
    await reader.session.join('lobby');
    await settle();
    reader.sink.buffered = 5000;
    await a.session.send('lobby', { text: 'burst 1' });
    clock.advance(1500);
    await a.session.send('lobby', { text: 'burst 2' });
    reader.sink.buffered = 0; // the burst drained: a later one starts a new grace
    await a.session.send('lobby', { text: 'calm' });
    reader.sink.buffered = 5000;
    clock.advance(1500);
    await a.session.send('lobby', { text: 'burst 3' });
    expect(reader.sink.terminated).toBeNull();
    expect(reader.sink.of('message')).toHaveLength(4);
    clock.advance(2000);
    await a.session.send('lobby', { text: 'stopped' });
    expect(reader.sink.terminated?.reason).toBe('slow_consumer');
    expect(reader.sink.of('message')).toHaveLength(4);
  });

  it('[engine.edit-delete] authors edit and delete their own; mods delete anyone’s; others may not', async () => {
    ctx = await createTestEngine();
    const a = await connect(ctx.engine, 'alice');
    const b = await connect(ctx.engine, 'bob');
    const mod = await connect(ctx.engine, 'mo', 'mod');
    for (const s of [a, b, mod]) await s.session.join('lobby');
    const sent = await a.session.send('lobby', { text: 'first' });
    if (sent.kind !== 'message') throw new Error('expected a message');
    await rejects(b.session.edit('lobby', sent.message.id, 'hacked'), 'forbidden');
    const edited = await a.session.edit('lobby', sent.message.id, 'second');
    expect(edited.text).toBe('second');
    expect(edited.editedAt).not.toBeNull();
    expect((await b.sink.next('message_edited')).message.text).toBe('second');
    await rejects(b.session.remove('lobby', sent.message.id), 'forbidden');
    const removed = await mod.session.remove('lobby', sent.message.id);
    expect(removed.deletedAt).not.toBeNull();
    expect(removed.text).toBe('');
    const log = await ctx.engine.listModeration(1, { limit: 10 });
    expect(log[0]?.kind).toBe('delete_message');
  });

  it('[engine.rooms.private] private rooms are seen and joined by members only', async () => {
    ctx = await createTestEngine();
    const a = await connect(ctx.engine, 'alice');
    const b = await connect(ctx.engine, 'bob');
    await a.session.createRoom({ name: 'secret', visibility: 'private' });
    expect((await a.session.listRooms()).map((r) => r.name)).toContain('secret');
    expect((await b.session.listRooms()).map((r) => r.name)).not.toContain('secret');
    expect(b.sink.of('room_created')).toHaveLength(0);
    await rejects(b.session.join('secret'), 'forbidden');
    await ctx.engine.addRoomMember(1, 'secret', 'bob');
    expect((await b.session.join('secret')).room.name).toBe('secret');
    const c = await connect(ctx.engine, 'carol');
    await ctx.engine.updateRoom(1, 'secret', { topic: 'members only' });
    await ctx.engine.deleteRoom(1, 'secret');
    await settle();
    expect(c.sink.of('room_updated')).toHaveLength(0);
    expect(c.sink.of('room_deleted')).toHaveLength(0);
    expect(b.sink.of('room_updated').map((e) => e.room.topic)).toEqual(['members only']);
    expect(b.sink.of('room_deleted').map((e) => e.room.name)).toEqual(['secret']);
  });

  it('[engine.guests] guests read only unless the app lets them write; app 1 lets them', async () => {
    ctx = await createTestEngine();
    const principal = await ctx.engine.authenticate(1, { kind: 'guest', nickname: 'visitor' });
    expect(principal.resumeToken).toBeTruthy();
    const sink = new RecordingSink();
    const g = ctx.engine.openSession(principal, sink);
    await g.join('lobby');
    expect((await g.send('lobby', { text: 'hello' })).kind).toBe('message');
    await rejects(ctx.engine.authenticate(1, { kind: 'guest', nickname: 'visitor' }), 'conflict');
    await ctx.engine.updateApp(1, { settings: { guestsCanWrite: false } });
    await rejects(g.send('lobby', { text: 'again' }), 'guest_read_only');
  });

  it('[engine.reader] an anonymous reader hears a room but is never present and cannot write', async () => {
    ctx = await createTestEngine();
    const a = await connect(ctx.engine, 'alice');
    await a.session.join('lobby');
    const sink = new RecordingSink();
    const reader = await ctx.engine.openReader(1, sink);
    await reader.join('lobby');
    await settle();
    expect(a.sink.of('presence_join')).toHaveLength(0);
    expect((await a.session.members('lobby')).online.map((u) => u.username)).toEqual(['alice']);
    await a.session.send('lobby', { text: 'for all' });
    expect((await sink.next('message')).message.text).toBe('for all');
    await rejects(reader.send('lobby', { text: 'me too' }), 'unauthorized');
    expect(ctx.engine.online(1).map((o) => o.user.username)).toEqual(['alice']);
    reader.close();
    await a.session.createRoom({ name: 'hidden', visibility: 'private' });
    const second = await ctx.engine.openReader(1, new RecordingSink());
    await rejects(second.join('hidden'), 'forbidden');
  });
});
