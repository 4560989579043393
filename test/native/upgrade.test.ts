/**
 * A guest who signs in on its live connection (`upgrade`, docs/protocol.md [proto.upgrade]) over both framings
 * with the typed client, against a real server on real sockets: the connection keeps its rooms, the room hears
 * one `user_renamed` and no leave or join, and the guest's messages follow the app's `linkGuestMessages`.
 */
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/client/index.js';
import type { SendResult } from '../../src/protocol/native.js';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api, ClientPool, events, NO_FLOOD, patchApp, register, TRANSPORTS } from './helpers.js';

const JWT_SECRET = 'a-very-secret-jwt-key-for-upgrade-tests';
const PASSWORD = 'secret-password';

function siteJwt(username: string): Promise<string> {
  return new SignJWT({ username })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(JWT_SECRET));
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'succeeded',
    (err: unknown) => (err as { code: string }).code,
  );
}

function authorOf(sent: SendResult): string | undefined {
  return 'message' in sent ? sent.message.author?.username : undefined;
}

describe.each(TRANSPORTS)('guest upgrade over %s', (transport) => {
  let srv: TestServer;
  const pool = new ClientPool();
  const tag = transport === 'ws' ? 'w' : 's';
  let watcherToken = '';
  let counter = 0;
  /** A name no other test of the file uses. */
  const unique = (base: string) => `${base}${tag}${++counter}`;

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, { ...NO_FLOOD, jwt: { alg: 'HS256', secret: JWT_SECRET } });
    watcherToken = await register(srv, `watch${tag}`);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  async function connected(credentials: Parameters<ClientPool['client']>[2]): Promise<ParleyClient> {
    const client = pool.client(srv, transport, credentials);
    await client.connect();
    return client;
  }

  /** A watcher and a guest in a fresh room, the guest having said something. */
  async function guestInRoom() {
    const room = unique('upg');
    const watcher = await connected({ token: watcherToken });
    await watcher.createRoom(room);
    await watcher.join(room);
    const guestName = unique('guest');
    const guest = pool.client(srv, transport, { guest: guestName });
    const auth = await guest.connect();
    const joined = events(watcher, 'presence_join');
    await guest.join(room);
    await joined.next((e) => e.user.username === guestName);
    await guest.send(room, 'said as a guest');
    const seen = {
      renamed: events(watcher, 'user_renamed'),
      joins: events(watcher, 'presence_join'),
      leaves: events(watcher, 'presence_leave'),
      messages: events(guest, 'message'),
    };
    return { room, watcher, guest, guestName, seen, resumeToken: auth?.resumeToken ?? '' };
  }

  /** The guest, now `username`, is still in the room: it hears the next message without having reconnected. */
  async function stillInRoom(setup: Awaited<ReturnType<typeof guestInRoom>>, username: string) {
    const { room, watcher, guest, guestName, seen } = setup;
    const renamed = await seen.renamed.next();
    expect(renamed).toMatchObject({
      room: { name: room },
      from: { username: guestName, role: 'guest' },
      to: { username },
    });
    const text = unique('after');
    await watcher.send(room, text);
    expect((await seen.messages.next((e) => e.message.text === text)).room.name).toBe(room);
    // Exactly one rename, and neither the guest leaving nor the user joining (the events of a room come in
    // order: had they been sent, they would have come before the message).
    expect(seen.renamed.items).toHaveLength(1);
    expect(seen.joins.items).toEqual([]);
    expect(seen.leaves.items).toEqual([]);
    expect((await watcher.members(room)).map((u) => u.username).sort()).toEqual(
      [username, `watch${tag}`].sort(),
    );
    expect(guest.state).toBe('open');
    expect(guest.user?.username).toBe(username);
    // Writes are now the user's.
    expect(authorOf(await guest.send(room, 'said as the user'))).toBe(username);
  }

  /** Who the history says wrote the guest's message. */
  async function guestMessageAuthor(client: ParleyClient, room: string): Promise<string | undefined> {
    const page = await client.history(room);
    return page.messages.find((m) => m.text === 'said as a guest')?.author?.username;
  }

  it('[proto.upgrade] with a password: same connection, same rooms, one user_renamed; messages stay the guest’s', async () => {
    const username = unique('pw');
    await register(srv, username, PASSWORD);
    const setup = await guestInRoom();
    const result = await setup.guest.upgrade({ username, password: PASSWORD });
    expect(result).toMatchObject({ user: { username, kind: 'account', role: 'member' }, expiresAt: null });
    expect(result.token).toEqual(expect.any(String));
    await stillInRoom(setup, username);
    // linkGuestMessages is off by default: the guest's message keeps its author.
    expect(await guestMessageAuthor(setup.watcher, setup.room)).toBe(setup.guestName);
  });

  it('[proto.upgrade.link] with a site JWT, linkGuestMessages on: the guest’s messages become the user’s', async () => {
    await patchApp(srv, { linkGuestMessages: true });
    try {
      const username = unique('site');
      const setup = await guestInRoom();
      const result = await setup.guest.upgrade({ jwt: await siteJwt(username) });
      expect(result.user).toMatchObject({ username, kind: 'external' });
      expect(result.expiresAt).toEqual(expect.any(Number));
      expect(result.token).toBeUndefined();
      await stillInRoom(setup, username);
      expect(await guestMessageAuthor(setup.watcher, setup.room)).toBe(username);
    } finally {
      await patchApp(srv, { linkGuestMessages: false });
    }
  });

  it('[proto.upgrade] with a site token; and register creates an account that can reconnect', async () => {
    const username = unique('tok');
    const issued = await api<{ token: string; expiresAt: number }>(srv, 'POST', '/api/v1/apps/1/tokens', {
      username,
    });
    const setup = await guestInRoom();
    const result = await setup.guest.upgrade({ token: issued.token });
    expect(result).toMatchObject({ user: { username }, expiresAt: issued.expiresAt });
    await stillInRoom(setup, username);

    const fresh = unique('new');
    const second = await guestInRoom();
    const made = await second.guest.upgrade({ username: fresh, password: PASSWORD, register: true });
    expect(made.user).toMatchObject({ username: fresh, kind: 'account' });
    await stillInRoom(second, fresh);
    const again = await connected({ token: made.token ?? '' });
    expect(again.user?.username).toBe(fresh);
  });

  it('[proto.upgrade.refused] only a guest upgrades; bad credentials leave the guest as it was', async () => {
    const username = unique('acct');
    await register(srv, username, PASSWORD);
    const account = await connected({ token: watcherToken });
    expect(await refusal(account.upgrade({ username, password: PASSWORD }))).toBe('forbidden');

    const setup = await guestInRoom();
    const { guest, guestName, room, seen } = setup;
    expect(await refusal(guest.upgrade({ username, password: 'wrong-password' }))).toBe('unauthorized');
    expect(await refusal(guest.upgrade({ token: 'no-such-token' }))).toBe('unauthorized');
    expect(await refusal(guest.upgrade({ username: unique('none'), password: PASSWORD }))).toBe(
      'unauthorized',
    );
    expect(await refusal(guest.upgrade({ username, password: PASSWORD, register: true }))).toBe('conflict');
    // Another guest's resume token signs in a guest, not a user.
    const other = pool.client(srv, transport, { guest: unique('other') });
    const otherAuth = await other.connect();
    expect(await refusal(guest.upgrade({ token: otherAuth?.resumeToken ?? '' }))).toBe('forbidden');
    expect(await refusal(guest.request('upgrade', {} as never))).toBe('bad_request');

    expect(guest.user?.username).toBe(guestName);
    expect(authorOf(await guest.send(room, 'still a guest'))).toBe(guestName);
    expect((await setup.watcher.members(room)).map((u) => u.username)).toContain(guestName);
    expect(seen.renamed.items).toEqual([]);
  });

  it('[proto.upgrade.others] the guest’s other connections are logged out', async () => {
    const username = unique('multi');
    await register(srv, username, PASSWORD);
    const setup = await guestInRoom();
    // The same guest in another tab: signed in with its resume token.
    const sameGuest = await connected({ token: setup.resumeToken });
    expect(sameGuest.user?.username).toBe(setup.guestName);
    const gone = events(sameGuest, 'disconnected');
    await setup.guest.upgrade({ username, password: PASSWORD });
    expect(await gone.next()).toMatchObject({ reason: 'logout', code: 1000, willReconnect: false });
    await stillInRoom(setup, username);
  });
});
