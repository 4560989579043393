/**
 * eventchat and the native protocol in the same app and room: messages both ways, presence both ways, and
 * moderation issued natively enforced on the eventchat side.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../helpers/server.js';
import type { TestServer } from '../../helpers/server.js';
import { ClientPool, events, NO_FLOOD, patchApp } from '../../native/helpers.js';
import { createUser, EventchatPool } from './helpers.js';

describe('eventchat with the native protocol', () => {
  let srv: TestServer;
  const pool = new EventchatPool();
  const natives = new ClientPool();

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
    await createUser(srv, 'ec-user', 'ec-password');
    await createUser(srv, 'ec-muted', 'ec-muted-password');
    await createUser(srv, 'ec-kicked', 'ec-kicked-password');
    await createUser(srv, 'native-user', 'native-password');
    await createUser(srv, 'native-mod', 'native-mod-password', 'mod');
  });
  afterEach(() => {
    pool.closeAll();
    natives.closeAll();
  });
  afterAll(async () => {
    pool.closeAll();
    natives.closeAll();
    await srv?.close();
  });

  for (const transport of ['ws', 'socket.io'] as const) {
    it(`messages and presence cross both ways (native over ${transport})`, async () => {
      const room = `shared-${transport}`;
      const native = natives.client(srv, transport, { username: 'native-user', password: 'native-password' });
      const nativeMessages = events(native, 'message');
      const nativeJoins = events(native, 'presence_join');
      const nativeLeaves = events(native, 'presence_leave');
      await native.connect();
      await native.createRoom(room).catch(() => undefined);
      await native.join(room);

      // eventchat enters: the native client sees it arrive, and it is told who is there.
      const ec = await pool.open(srv).connected();
      await ec.auth('ec-user', 'ec-password', room);
      expect((await ec.next('users')).users).toEqual(expect.arrayContaining(['native-user', 'ec-user']));
      expect(await nativeJoins.next((e) => e.room.name === room)).toMatchObject({
        user: { username: 'ec-user' },
      });

      // eventchat → native
      ec.emit('message', { content: 'ignored', raw_content: 'hello from *eventchat*' });
      const got = await nativeMessages.next((e) => e.message.text === 'hello from *eventchat*');
      expect(got.message.author?.username).toBe('ec-user');
      expect(got.message.html).toBe('<p>hello from <em>eventchat</em></p>');

      // native → eventchat, as the same `message` event
      await native.send(room, 'hello from **native**');
      expect(await ec.next('message', (m) => m.user === 'native-user')).toEqual({
        id: expect.any(Number),
        user: 'native-user',
        content: '<p>hello from <strong>native</strong></p>',
        raw_content: 'hello from **native**',
      });

      // native leaves and comes back: eventchat sees both
      await native.leave(room);
      expect(await ec.next('leave')).toEqual({ user: 'native-user' });
      await native.join(room);
      expect(await ec.next('join')).toEqual({ user: 'native-user' });

      // eventchat leaves: the native client sees it go
      ec.close();
      expect(await nativeLeaves.next((e) => e.room.name === room)).toMatchObject({
        user: { username: 'ec-user' },
      });
    });
  }

  it('a mute issued natively is enforced on eventchat', async () => {
    const room = 'native-mutes';
    const mod = natives.client(srv, 'ws', { username: 'native-mod', password: 'native-mod-password' });
    const modMessages = events(mod, 'message');
    await mod.connect();
    await mod.createRoom(room);
    await mod.join(room);
    const ec = await pool.authed(srv, 'ec-muted', 'ec-muted-password', room);
    await ec.say('before the mute');
    await modMessages.next((e) => e.message.text === 'before the mute');

    await mod.mute('ec-muted', { room, minutes: 5 });
    const told = await ec.next('mute');
    expect(told.duration).toBeGreaterThan(290);
    expect(told.duration).toBeLessThanOrEqual(300);
    ec.emit('message', { content: 'x', raw_content: 'after the mute' });
    await ec.next('mute');
    expect(await ec.next('cerror')).toEqual({ Code: 403, message: expect.stringMatching(/muted/i) });
    // The native client never gets it: its marker arrives with nothing of ec-muted's before it.
    await mod.send(room, 'native marker');
    const marker = await modMessages.next((e) => e.message.text === 'native marker');
    expect(marker.message.author?.username).toBe('native-mod');
    expect(modMessages.items.map((e) => e.message.text)).not.toContain('after the mute');

    // Unmuted natively: eventchat may speak again.
    await mod.unmute('ec-muted', { room });
    await ec.say('after the unmute');
    await modMessages.next((e) => e.message.text === 'after the unmute');
  });

  it('a kick and a ban issued natively end the eventchat connection', async () => {
    const room = 'native-kicks';
    const mod = natives.client(srv, 'socket.io', { username: 'native-mod', password: 'native-mod-password' });
    await mod.connect();
    const kicked = await pool.authed(srv, 'ec-kicked', 'ec-kicked-password', room);
    await mod.kick('ec-kicked', { reason: 'out' });
    expect(await kicked.next('cerror')).toEqual({ Code: 403, message: 'Kicked by a moderator: out' });
    expect(await kicked.disconnected).toBe('io server disconnect');

    const banned = await pool.authed(srv, 'ec-kicked', 'ec-kicked-password', room);
    await mod.ban('ec-kicked', { minutes: 10, reason: 'for good' });
    expect(await banned.next('ban')).toEqual({ message: 'You are banned', reason: 'for good' });
    expect(await banned.disconnected).toBe('io server disconnect');
  });
});
