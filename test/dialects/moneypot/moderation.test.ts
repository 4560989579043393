/**
 * /mute and /unmute typed into new_message (seed 002 and its notes): who may, the original's feedback texts,
 * user_muted / user_unmuted for everyone, "You are muted" for a muted sender, names of any case, trailing text.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../helpers/server.js';
import type { TestServer } from '../../helpers/server.js';
import { api, NO_FLOOD, patchApp } from '../../native/helpers.js';
import { hashedToken, isNewMessage, marker, MpPool } from './helpers.js';

interface MuteEvent {
  uname: string;
  mins: number | null;
  expires_at: string | null;
}

describe('moneypot moderation', () => {
  let srv: TestServer;
  const pool = new MpPool();

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  async function user(name: string, role = 'member') {
    const { client } = await pool.authed(srv, {
      app_id: 1,
      hashed_token: await hashedToken(srv, name, role),
    });
    return client;
  }

  it('mutes and unmutes with the original feedback, and a muted sender is told "You are muted"', async () => {
    const mod = await user('Mod', 'mod');
    const bob = await user('Bob');
    const reader = (await pool.authed(srv, { app_id: 1 })).client;
    const modSystem = mod.events<string>('system_message');
    const bobSystem = bob.events<string>('system_message');
    const muted = reader.events<MuteEvent>('user_muted');

    const before = Date.now();
    expect(await mod.send('/mute Bob 10')).toBeNull();
    expect(await modSystem.next()).toBe('User "Bob" muted for 10 minutes');
    const event = await muted.next();
    expect(event).toEqual({ uname: 'Bob', mins: 10, expires_at: expect.any(String) });
    const expires = Date.parse(event.expires_at ?? '');
    expect(expires).toBeGreaterThanOrEqual(before + 10 * 60_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 10 * 60_000);
    expect(bob.named<MuteEvent>('user_muted')).toHaveLength(1);

    // The muted sender: system_message "You are muted" and MUTED to the callback; nobody gets the text.
    const hidden = marker('hidden');
    expect(await bob.send(hidden)).toBe('MUTED');
    expect(await bobSystem.next()).toBe('You are muted');
    const end = marker();
    expect(await mod.send(end)).toBeNull();
    const seen = await reader.until('new_message', isNewMessage(end));
    expect(seen.some(([, p]) => isNewMessage(hidden)(p))).toBe(false);

    // The staff's muteList on a new auth shows it.
    const staff = await pool.authed(srv, { app_id: 1, hashed_token: await hashedToken(srv, 'Mod', 'mod') });
    expect((staff.reply.data as { room: { muteList: object } }).room.muteList).toEqual({
      bob: { uname: 'Bob', mins: 10, expires_at: event.expires_at },
    });

    const unmuted = reader.events<{ uname: string }>('user_unmuted');
    expect(await mod.send('/unmute Bob')).toBeNull();
    expect(await modSystem.next()).toBe('User "Bob" unmuted');
    expect(await unmuted.next()).toEqual({ uname: 'Bob' });
    expect(await bob.send('free again')).toBeNull();
    await reader.until('new_message', isNewMessage('free again'));

    expect(await mod.send('/unmute Bob')).toBeNull();
    expect(await modSystem.next()).toBe('User not in mutelist');
  });

  it('mutes names in any case, and trailing text after /mute is a reason, not a crash', async () => {
    const admin = await user('Admina', 'admin');
    await user('MixedCase');
    const system = admin.events<string>('system_message');
    const muted = admin.events<MuteEvent>('user_muted');
    expect(await admin.send('/mute mixedcase 5 spamming links, again')).toBeNull();
    expect(await system.next()).toBe('User "mixedcase" muted for 5 minutes');
    expect(await muted.next()).toMatchObject({ uname: 'MixedCase', mins: 5 });
    expect(await admin.send('/MUTE MIXEDCASE 7')).toBeNull();
    expect(await system.next()).toBe('User "MIXEDCASE" muted for 7 minutes');
    expect(await muted.next()).toMatchObject({ uname: 'MixedCase', mins: 7 });
    expect(await admin.send('/unmute MIXEDcase')).toBeNull();
    expect(await system.next()).toBe('User "MIXEDcase" unmuted');
  });

  it('refuses /mute and /unmute to members with "You are not authorized to do that"', async () => {
    const plain = await user('plainuser');
    await user('target');
    const system = plain.events<string>('system_message');
    expect(await plain.send('/mute target 10')).toBeNull();
    expect(await system.next()).toBe('You are not authorized to do that');
    expect(await plain.send('/unmute target')).toBeNull();
    expect(await system.next()).toBe('You are not authorized to do that');
    // A mod may not mute an admin (the role order), nor themselves.
    const mod = await user('lowmod', 'mod');
    await user('highadmin', 'admin');
    const modSystem = mod.events<string>('system_message');
    expect(await mod.send('/mute highadmin 10')).toBeNull();
    expect(await modSystem.next()).toBe('You are not authorized to do that');
    expect(await mod.send('/mute lowmod 10')).toBeNull();
    expect(await modSystem.next()).toBe('You are not authorized to do that');
  });

  it('answers "Invalid mute command" and "Invalid unmute command" to malformed commands', async () => {
    const owner = await user('Owner', 'owner');
    const system = owner.events<string>('system_message');
    for (const text of [
      '/mute',
      '/mute someone',
      '/mute someone abc',
      '/mute someone -5',
      '/mute someone 0',
    ]) {
      expect(await owner.send(text)).toBeNull();
      expect(await system.next()).toBe('Invalid mute command');
    }
    for (const text of ['/unmute', '/unmute a b']) {
      expect(await owner.send(text)).toBeNull();
      expect(await system.next()).toBe('Invalid unmute command');
    }
    expect(await owner.send('/mute nobody-here 5')).toBeNull();
    expect(await system.next()).toBe('No user named nobody-here');
    expect(await owner.send('/unmute nobody-here')).toBeNull();
    expect(await system.next()).toBe('User not in mutelist');
  });

  it('lets staff speak through a mute', async () => {
    const mod = await user('MutedMod', 'mod');
    await api(srv, 'POST', '/api/v1/apps/1/mutes', { username: 'MutedMod', minutes: 5 });
    expect(await mod.send('staff ignore mutes')).toBeNull();
    await mod.until('new_message', isNewMessage('staff ignore mutes'));
    await api(srv, 'DELETE', '/api/v1/apps/1/mutes/MutedMod');
  });

  it('announces mutes of the lobby and the whole app, not of other rooms', async () => {
    const watcher = await user('roomwatcher');
    await user('scoped');
    await api(srv, 'POST', '/api/v1/apps/1/rooms', { name: 'elsewhere' });
    await api(srv, 'POST', '/api/v1/apps/1/mutes', { username: 'scoped', room: 'elsewhere', minutes: 5 });
    await api(srv, 'POST', '/api/v1/apps/1/mutes', { username: 'scoped', room: 'lobby', minutes: 3 });
    const lobbyMute = await watcher.until('user_muted', () => true);
    expect(lobbyMute.filter(([name]) => name === 'user_muted')).toEqual([]);
    expect(watcher.named<MuteEvent>('user_muted')).toEqual([
      { uname: 'scoped', mins: 3, expires_at: expect.any(String) },
    ]);
    // Until lifted: mins and expires_at are null.
    await api(srv, 'POST', '/api/v1/apps/1/mutes', { username: 'scoped' });
    await watcher.until('user_muted', (p) => (p as MuteEvent).mins === null);
    expect(watcher.named<MuteEvent>('user_muted')[1]).toEqual({
      uname: 'scoped',
      mins: null,
      expires_at: null,
    });
  });
});
