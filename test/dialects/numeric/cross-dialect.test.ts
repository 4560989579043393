/**
 * The numeric dialect and the native protocol in the same app and room: messages both ways, presence both
 * ways, and moderation issued natively enforced on a numeric user.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../../src/client/index.js';
import { startTestServer } from '../../helpers/server.js';
import type { TestServer } from '../../helpers/server.js';
import { ClientPool, events, NO_FLOOD, patchApp, register, setRole } from '../../native/helpers.js';
import { isType, NumericPool } from './helpers.js';

describe('numeric dialect with the native protocol', () => {
  let srv: TestServer;
  const numeric = new NumericPool();
  const native = new ClientPool();
  let modToken: string;
  let memberToken: string;

  beforeAll(async () => {
    // A short grace period: the engine's own (late) departures happen within the tests.
    srv = await startTestServer({ engine: { presenceGraceMs: 300 } });
    await patchApp(srv, NO_FLOOD);
    modToken = await register(srv, 'nat_mod', 'mod-password');
    memberToken = await register(srv, 'nat_member', 'member-password');
    await setRole(srv, 'nat_mod', 'mod');
  });
  afterEach(() => {
    numeric.closeAll();
    native.closeAll();
  });
  afterAll(async () => {
    numeric.closeAll();
    native.closeAll();
    await srv?.close();
  });

  async function nativeClient(token: string): Promise<ParleyClient> {
    const client = native.client(srv, 'ws', { token });
    await client.connect();
    return client;
  }

  it('carries messages and /me actions both ways', async () => {
    const ann = await numeric.login(srv, 'x_ann');
    const member = await nativeClient(memberToken);
    await ann.next(isType(2, { user: 'nat_member' }));

    ann.send({ type: 4, channel: '#mixed' });
    await ann.next(isType(4));
    const memberJoins = events(member, 'presence_join');
    await member.join('mixed');
    expect(await ann.next(isType(4))).toMatchObject({ channel: 'mixed', user: 'nat_member' });

    // native → numeric
    await member.send('mixed', 'hello from native');
    expect(await ann.next(isType(0))).toEqual({
      type: 0,
      time: expect.any(Number),
      dest: 'mixed',
      message: 'hello from native',
      user: 'nat_member',
    });
    await member.send('mixed', '/me waves');
    expect(await ann.next(isType(7))).toMatchObject({ dest: 'mixed', message: 'waves', user: 'nat_member' });

    // numeric → native
    const messages = events(member, 'message');
    ann.send({ type: 0, dest: 'mixed', message: 'hello from numeric' });
    const received = await messages.next();
    expect(received.room.name).toBe('mixed');
    expect(received.message).toMatchObject({ kind: 'text', text: 'hello from numeric' });
    expect(received.message.author?.username).toBe('x_ann');
    ann.send({ type: 7, dest: 'mixed', message: 'dances' });
    expect((await messages.next()).message).toMatchObject({ kind: 'me', text: 'dances' });

    // Both see each other in the lists.
    ann.send({ type: 6, channel: 'mixed' });
    expect((await ann.next(isType(6))).users).toEqual(expect.arrayContaining(['x_ann', 'nat_member']));
    ann.send({ type: 6 });
    expect((await ann.next(isType(6))).users).toEqual(expect.arrayContaining(['x_ann', 'nat_member']));
    expect((await member.members('mixed')).map((u) => u.username).sort()).toEqual(['nat_member', 'x_ann']);

    // A numeric join is a native presence_join.
    const ben = await numeric.login(srv, 'x_ben');
    ben.send({ type: 4, channel: 'mixed' });
    expect((await memberJoins.next((e) => e.user.username === 'x_ben')).room.name).toBe('mixed');
  });

  it('hears native users come and go, and numeric departures reach native clients once', async () => {
    const ann = await numeric.login(srv, 'p_ann');
    const ben = await numeric.login(srv, 'p_ben');
    for (const client of [ann, ben]) {
      client.send({ type: 4, channel: 'presence' });
      await client.next(isType(4, { user: client === ann ? 'p_ann' : 'p_ben' }));
    }
    // A user of its own: one that went away less than a grace period ago is, to the engine, still online.
    const member = await nativeClient(await register(srv, 'nat_presence', 'presence-password'));
    expect(await ann.next(isType(2))).toMatchObject({ user: 'nat_presence' });
    await member.watchOnline();
    await member.join('presence');
    expect(await ann.next(isType(4))).toMatchObject({ channel: 'presence', user: 'nat_presence' });
    await member.leave('presence');
    expect(await ann.next(isType(5))).toMatchObject({ channel: 'presence', user: 'nat_presence' });
    await member.join('presence');
    await ann.next(isType(4, { user: 'nat_presence' }));

    // ben logs out: ann hears at once; the native client hears from the engine after the grace period...
    const offline = events(member, 'user_offline');
    const leaves = events(member, 'presence_leave');
    ben.send({ type: 3 });
    await ann.next(isType(5, { user: 'p_ben' }));
    await ann.next(isType(3, { user: 'p_ben' }));
    expect((await leaves.next((e) => e.user.username === 'p_ben')).room.name).toBe('presence');
    await offline.next((e) => e.user.username === 'p_ben');
    // ...and once the engine has spoken, ann is not told a second time.
    await ann.expectNone((f) => f.user === 'p_ben');

    // A native client that goes away is announced when the engine says so (after the grace period).
    member.close();
    expect(await ann.next(isType(5))).toMatchObject({ channel: 'presence', user: 'nat_presence' });
    expect(await ann.next(isType(3))).toMatchObject({ user: 'nat_presence' });
  });

  it('enforces a mute issued natively, app-wide and in one room', async () => {
    const ann = await numeric.login(srv, 'm_ann');
    const ben = await numeric.login(srv, 'm_ben');
    for (const client of [ann, ben]) {
      client.send({ type: 4, channel: 'muted_room' });
      await client.next(isType(4, { user: client === ann ? 'm_ann' : 'm_ben' }));
    }
    const mod = await nativeClient(modToken);
    await mod.join('muted_room');
    const seen = events(mod, 'message');

    await mod.mute('m_ann', { minutes: 10, reason: 'spam' });
    ann.send({ type: 0, dest: 'muted_room', message: 'still here?' });
    expect(await ann.next((f) => f.type === -1)).toMatchObject({ message: 'You are muted for 10 minutes' });
    // Nobody got it: ben's later message is the first thing the moderator sees.
    ben.send({ type: 0, dest: 'muted_room', message: 'marker' });
    expect((await seen.next()).message.text).toBe('marker');
    await ben.expectNone((f) => f.type === 0 && f.message === 'still here?');

    await mod.unmute('m_ann');
    await mod.mute('m_ann', { room: 'muted_room', minutes: 1 });
    ann.send({ type: 0, dest: 'muted_room', message: 'and now?' });
    expect(await ann.next((f) => f.type === -1)).toMatchObject({ message: 'You are muted for 1 minute' });
    // Elsewhere ann may speak.
    ann.send({ type: 4, channel: 'free_room' });
    await ann.next(isType(4));
    ann.send({ type: 0, dest: 'free_room', message: 'free' });
    expect(await ann.next(isType(0))).toMatchObject({ message: 'free', user: 'm_ann' });
  });

  it('disconnects a numeric user kicked or banned natively, with type -1 first', async () => {
    const mod = await nativeClient(modToken);
    const kicked = await numeric.login(srv, 'k_ann');
    await mod.kick('k_ann', { reason: 'be nice' });
    expect(await kicked.next((f) => f.type === -1)).toMatchObject({ message: 'You were kicked: be nice' });
    expect((await kicked.closed).code).toBe(4004);
    // A kicked user may come back at once.
    await numeric.login(srv, 'k_ann');

    const banned = await numeric.login(srv, 'b_ann');
    await mod.ban('b_ann', { minutes: 5 });
    expect(await banned.next((f) => f.type === -1)).toMatchObject({ message: 'You are banned.' });
    expect((await banned.closed).code).toBe(4005);
    const again = numeric.open(srv, 'b_ann');
    expect(await again.next()).toMatchObject({ type: -1, message: expect.stringMatching(/banned/i) });
    expect((await again.closed).code).toBe(4005);
  });
});
