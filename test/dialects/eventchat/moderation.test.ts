/**
 * The moderator events of the seed's later versions (extensions): `kick`, `mute`, `ban`, `deleteMessage`, for
 * mods and above, and what their targets are told.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../helpers/server.js';
import type { TestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait.js';
import { NO_FLOOD, patchApp } from '../../native/helpers.js';
import { createUser, EventchatPool } from './helpers.js';

describe('eventchat: moderator events', () => {
  let srv: TestServer;
  const pool = new EventchatPool();

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
    await createUser(srv, 'modo', 'modo-password', 'mod');
    await createUser(srv, 'boss', 'boss-password', 'admin');
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) {
      await createUser(srv, name, `${name}-password`);
    }
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  it('refuses moderator events from a plain member with `cerror` 403', async () => {
    const alice = await pool.authed(srv, 'alice', 'alice-password', 'mod-room');
    const events: [string, unknown][] = [
      ['kick', { username: 'bob' }],
      ['mute', { username: 'bob', duration: 60 }],
      ['ban', { username: 'bob' }],
    ];
    for (const [event, payload] of events) {
      alice.emit(event, payload);
      expect(await alice.next('cerror'), event).toEqual({ Code: 403, message: expect.any(String) });
    }
  });

  it('answers malformed moderator events with 400 and unknown users with 404', async () => {
    const modo = await pool.authed(srv, 'modo', 'modo-password', 'mod-room');
    const malformed: [string, unknown][] = [
      ['kick', {}],
      ['kick', { username: 5 }],
      ['kick', { user: 'bob' }],
      ['mute', { username: 'bob', duration: '60' }],
      ['mute', { username: 'bob', duration: 0 }],
      ['mute', { username: 'bob', duration: 1.5 }],
      ['mute', { username: 'bob', duration: 10 ** 12 }],
      ['ban', { username: 'bob', extra: 1 }],
      ['ban', 'bob'],
      ['deleteMessage', { id: 'x' }],
      ['deleteMessage', { id: 0 }],
      ['deleteMessage', {}],
    ];
    for (const [event, payload] of malformed) {
      modo.emit(event, payload);
      expect(await modo.next('cerror'), `${event} ${JSON.stringify(payload)}`).toEqual({
        Code: 400,
        message: expect.any(String),
      });
    }
    for (const event of ['kick', 'mute', 'ban']) {
      modo.emit(event, { username: 'nobody-at-all' });
      expect(await modo.next('cerror'), event).toEqual({ Code: 404, message: expect.any(String) });
    }
    modo.emit('deleteMessage', { id: 987_654 });
    expect(await modo.next('cerror')).toEqual({ Code: 404, message: expect.any(String) });
    // Role order: a mod cannot act on an admin.
    modo.emit('kick', { username: 'boss' });
    expect(await modo.next('cerror')).toEqual({ Code: 403, message: expect.any(String) });
  });

  it('kick: the target is told with `cerror` 403 and disconnected; the moderator gets a confirmation', async () => {
    const modo = await pool.authed(srv, 'modo', 'modo-password', 'kick-room');
    const bob = await pool.authed(srv, 'bob', 'bob-password', 'kick-room');
    modo.emit('kick', { username: 'bob', reason: 'calm down' });
    expect(await modo.next('message', (m) => m.user === '[system]')).toMatchObject({
      raw_content: 'User "bob" kicked',
    });
    expect(await bob.next('cerror')).toEqual({ Code: 403, message: 'Kicked by a moderator: calm down' });
    expect(await bob.disconnected).toBe('io server disconnect');
    await waitFor(() => modo.all('leave').some((l) => l.user === 'bob'), { label: 'bob leaves' });
    // A kick is not a ban: bob may come back.
    const back = await pool.authed(srv, 'bob', 'bob-password', 'kick-room');
    await back.say('back again');
  });

  it('mute: the target is told `mute {duration}`, and again with `cerror` 403 when it speaks', async () => {
    const modo = await pool.authed(srv, 'modo', 'modo-password', 'mute-room');
    const carol = await pool.authed(srv, 'carol', 'carol-password', 'mute-room');
    const watcher = await pool.authed(srv, 'alice', 'alice-password', 'mute-room');
    modo.emit('mute', { username: 'carol', duration: 90 });
    // 90 seconds are rounded up to whole minutes.
    expect(await modo.next('message', (m) => m.user === '[system]')).toMatchObject({
      raw_content: expect.stringMatching(/^User "carol" muted for 1(19|20) seconds$/),
    });
    const told = await carol.next('mute');
    expect(told.duration).toBeGreaterThan(110);
    expect(told.duration).toBeLessThanOrEqual(120);
    const mark = watcher.mark();
    carol.emit('message', { content: 'shh', raw_content: 'am I muted?' });
    const again = await carol.next('mute');
    expect(again.duration).toBeGreaterThan(100);
    expect(await carol.next('cerror')).toEqual({ Code: 403, message: expect.stringMatching(/muted/i) });
    await modo.say('marker after the muted attempt');
    const before = await watcher.until(
      mark,
      'message',
      (m) => m.raw_content === 'marker after the muted attempt',
    );
    expect(before.filter((f) => f.event === 'message')).toEqual([]);
    // The mute is the room's: carol may speak elsewhere.
    const elsewhere = await pool.authed(srv, 'carol', 'carol-password', 'another-room');
    await elsewhere.say('free here');
  });

  it('mute without a duration lasts until unmuted (`duration: null`)', async () => {
    const modo = await pool.authed(srv, 'modo', 'modo-password', 'mute-forever');
    const frank = await pool.authed(srv, 'frank', 'frank-password', 'mute-forever');
    modo.emit('mute', { username: 'frank', reason: 'enough' });
    expect(await modo.next('message', (m) => m.user === '[system]')).toMatchObject({
      raw_content: 'User "frank" muted until unmuted',
    });
    expect(await frank.next('mute')).toEqual({ duration: null });
  });

  it('ban: the target gets `ban {message, reason}` and is disconnected; it cannot come back', async () => {
    const modo = await pool.authed(srv, 'modo', 'modo-password', 'ban-room');
    const dave = await pool.authed(srv, 'dave', 'dave-password', 'ban-room');
    modo.emit('ban', { username: 'dave', reason: 'spam' });
    expect(await dave.next('ban')).toEqual({ message: 'You are banned', reason: 'spam' });
    expect(await dave.disconnected).toBe('io server disconnect');
    expect(await modo.next('message', (m) => m.user === '[system]')).toMatchObject({
      raw_content: 'User "dave" banned',
    });
    const again = await pool.open(srv).connected();
    again.emit('Auth', { user: 'dave', password: 'dave-password', room: 'ban-room' });
    expect(await again.next('cerror')).toEqual({ Code: 403, message: 'You are banned: spam' });
  });

  it('deleteMessage: everyone in the room gets `deleteMessage {id}`; members may delete only their own', async () => {
    const modo = await pool.authed(srv, 'modo', 'modo-password', 'delete-room');
    const erin = await pool.authed(srv, 'erin', 'erin-password', 'delete-room');
    const alice = await pool.authed(srv, 'alice', 'alice-password', 'delete-room');
    const said = await erin.say('delete me');
    const id = said.id;
    expect(typeof id).toBe('number');
    alice.emit('deleteMessage', { id });
    expect(await alice.next('cerror')).toEqual({ Code: 403, message: expect.any(String) });
    modo.emit('deleteMessage', { id });
    for (const client of [modo, erin, alice]) expect(await client.next('deleteMessage')).toEqual({ id });
    // An author may delete its own.
    const own = await alice.say('my own mistake');
    alice.emit('deleteMessage', { id: own.id });
    expect(await erin.next('deleteMessage')).toEqual({ id: own.id });
  });
});
