/**
 * A moneypot socket and a native ParleyClient in the same app and lobby: messages both ways, presence both
 * ways, and moderation issued natively enforced on the moneypot side.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../../src/client/index.js';
import { startTestServer } from '../../helpers/server.js';
import type { TestServer } from '../../helpers/server.js';
import { api, ClientPool, events, NO_FLOOD, patchApp, TRANSPORTS } from '../../native/helpers.js';
import { hashedToken, isNewMessage, marker, MpPool } from './helpers.js';

describe.each(TRANSPORTS)('moneypot with a native client over %s', (transport) => {
  let srv: TestServer;
  const pool = new MpPool();
  const natives = new ClientPool();

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
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

  async function native(username: string, role = 'member'): Promise<ParleyClient> {
    await hashedToken(srv, username, role);
    const { token } = await api<{ token: string }>(srv, 'POST', '/api/v1/apps/1/tokens', { username });
    const client = natives.client(srv, transport, { token });
    await client.connect();
    return client;
  }

  async function moneypot(username: string) {
    return pool.authed(srv, { app_id: 1, hashed_token: await hashedToken(srv, username) });
  }

  it('carries messages both ways', async () => {
    const nat = await native('nat');
    await nat.join('lobby');
    const { client: mp } = await moneypot('mona');
    const nativeMessages = events(nat, 'message');

    const fromNative = await nat.send('lobby', 'hello from native');
    const seen = await mp.until('new_message', isNewMessage('hello from native'));
    expect(seen).toBeDefined();
    const pushed = mp.named<{ id: number; user: object; text: string }>('new_message').at(-1);
    expect(fromNative.kind).toBe('message');
    if (fromNative.kind === 'message') expect(pushed?.id).toBe(fromNative.message.id);
    expect(pushed?.user).toEqual({ uname: 'nat', role: 'member' });

    expect(await mp.send('hello from moneypot')).toBeNull();
    const got = await nativeMessages.next((e) => e.message.text === 'hello from moneypot');
    expect(got.room.name).toBe('lobby');
    expect(got.message.author?.username).toBe('mona');
  });

  it('shows presence both ways', async () => {
    const nat = await native('watcher-nat');
    await nat.join('lobby');
    const joins = events(nat, 'presence_join');
    const leaves = events(nat, 'presence_leave');
    const { client: mp } = await moneypot('mover');
    expect((await joins.next((e) => e.user.username === 'mover')).room.name).toBe('lobby');

    const other = await native('visitor');
    await other.join('lobby');
    await mp.until('user_joined', (p) => (p as { uname: string }).uname === 'visitor');
    expect(mp.named('user_joined')).toContainEqual({ uname: 'visitor', role: 'member' });
    other.close();
    await mp.until('user_left', (p) => (p as { uname: string }).uname === 'visitor');

    mp.close();
    await leaves.next((e) => e.user.username === 'mover');
  });

  it('enforces a mute issued natively, app-wide and in the lobby', async () => {
    const mod = await native('native-mod', 'mod');
    await mod.join('lobby');
    const { client: mp } = await moneypot('noisy');
    const system = mp.events<string>('system_message');

    await mod.mute('noisy', { minutes: 15 });
    await mp.until('user_muted', (p) => (p as { uname: string }).uname === 'noisy');
    expect(mp.named('user_muted').at(-1)).toEqual({
      uname: 'noisy',
      mins: 15,
      expires_at: expect.any(String),
    });
    const hidden = marker('hidden');
    expect(await mp.send(hidden)).toBe('MUTED');
    expect(await system.next()).toBe('You are muted');

    await mod.unmute('noisy');
    await mp.until('user_unmuted', (p) => (p as { uname: string }).uname === 'noisy');
    expect(await mp.send('allowed')).toBeNull();

    await mod.mute('noisy', { room: 'lobby', minutes: 2 });
    await mp.until('user_muted', (p) => (p as { mins: number }).mins === 2);
    expect(await mp.send(hidden)).toBe('MUTED');
    expect(await system.next()).toBe('You are muted');

    // The native side never saw the muted texts.
    const nativeMessages = events(mod, 'message');
    const end = marker();
    await mod.send('lobby', end);
    await nativeMessages.next((e) => e.message.text === end);
    expect(nativeMessages.items.some((e) => e.message.text === hidden)).toBe(false);
    await mod.unmute('noisy', { room: 'lobby' });
  });

  it('lets a moneypot mod mute a native user, who is then refused', async () => {
    const nat = await native('native-target');
    await nat.join('lobby');
    const modHash = await hashedToken(srv, 'mp-mod', 'mod');
    const { client: mod } = await pool.authed(srv, { app_id: 1, hashed_token: modHash });
    const mutes = events(nat, 'muted');
    expect(await mod.send('/mute native-target 3')).toBeNull();
    expect((await mutes.next()).user.username).toBe('native-target');
    await expect(nat.send('lobby', 'muted native')).rejects.toMatchObject({ code: 'muted' });
  });
});
