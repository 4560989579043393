/**
 * One chat scenario, written once and run through both framings with the typed client, against a real server
 * over real sockets. Cites docs/protocol.md rules.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ParleyClient, ParleyClientOptions } from '../../src/client/index.js';
import { ParleyClientError } from '../../src/client/index.js';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { api, ClientPool, events, NO_FLOOD, patchApp, register, setRole, TRANSPORTS } from './helpers.js';

describe.each(TRANSPORTS)('native protocol scenario over %s', (transport) => {
  let srv: TestServer;
  const pool = new ClientPool();
  const room = `room-${transport === 'ws' ? 'ws' : 'sio'}`;
  let modToken: string;
  let bobToken: string;

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
    modToken = await register(srv, 'alice', 'alice-password');
    bobToken = await register(srv, 'bob', 'bob-password');
    await setRole(srv, 'alice', 'mod');
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  async function connected(client: ParleyClient): Promise<ParleyClient> {
    await client.connect();
    expect(client.state).toBe('open');
    return client;
  }

  it('[proto.auth] authenticates with a password, a token and as a guest', async () => {
    const byPassword = pool.client(srv, transport, { username: 'alice', password: 'alice-password' });
    const auth = await byPassword.connect();
    expect(auth?.user).toMatchObject({ username: 'alice', role: 'mod', kind: 'account' });
    expect(byPassword.user?.username).toBe('alice');

    const byToken = pool.client(srv, transport, { token: bobToken });
    expect((await byToken.connect())?.user.username).toBe('bob');

    const guest = pool.client(srv, transport, { guest: 'gus' });
    const guestAuth = await guest.connect();
    expect(guestAuth?.user).toMatchObject({ username: 'gus', kind: 'guest' });
    expect(typeof guestAuth?.resumeToken).toBe('string');

    const wrong = pool.client(srv, transport, { username: 'alice', password: 'wrong-password' });
    await expect(wrong.connect()).rejects.toMatchObject({ code: 'unauthorized' });
    expect(wrong.state).toBe('closed');
  });

  it('[proto.ops] runs a whole conversation: rooms, messages, history, typing, presence, moderation', async () => {
    const alice = await connected(pool.client(srv, transport, { token: modToken }));
    const bob = await connected(pool.client(srv, transport, { token: bobToken }));
    const gus = await connected(pool.client(srv, transport, { guest: 'gus' }));

    // rooms.create / rooms.list
    const created = await alice.createRoom(room, { topic: 'the scenario' });
    expect(created).toMatchObject({ name: room, topic: 'the scenario', visibility: 'public' });
    expect((await bob.listRooms()).map((r) => r.name)).toContain(room);

    // join + presence_join
    const aliceJoins = events(alice, 'presence_join');
    const joined = await alice.join(room);
    expect(joined.room.name).toBe(room);
    expect(joined.messages).toEqual([]);
    expect(joined.gap).toBeNull();
    await bob.join(room);
    expect((await aliceJoins.next((e) => e.user.username === 'bob')).room.name).toBe(room);
    await gus.join(room);
    await aliceJoins.next((e) => e.user.username === 'gus');
    expect(alice.rooms).toContain(room);

    // members
    const online = (await alice.members(room)).map((u) => u.username).sort();
    expect(online).toEqual(['alice', 'bob', 'gus']);

    // send → received by the other client, once
    const aliceMessages = events(alice, 'message');
    const sent = await bob.send(room, 'hello **alice**');
    expect(sent.kind).toBe('message');
    if (sent.kind !== 'message') throw new Error('unreachable');
    expect(sent.duplicate).toBe(false);
    expect(sent.message.clientMsgId).toEqual(expect.any(String));
    const received = await aliceMessages.next();
    expect(received.room.name).toBe(room);
    expect(received.message).toMatchObject({
      id: sent.message.id,
      seq: sent.message.seq,
      text: 'hello **alice**',
    });
    expect(received.message.author?.username).toBe('bob');

    // the same clientMsgId again → the same message, flagged duplicate
    const again = await bob.send(room, 'hello **alice**', { clientMsgId: sent.message.clientMsgId ?? '' });
    expect(again).toMatchObject({ kind: 'message', duplicate: true, message: { id: sent.message.id } });

    // edit / delete
    const edits = events(alice, 'message_edited');
    const edited = await bob.edit(room, sent.message.id, 'hello again');
    expect(edited.text).toBe('hello again');
    expect((await edits.next()).message).toMatchObject({ id: sent.message.id, text: 'hello again' });
    const deletions = events(alice, 'message_deleted');
    const deleted = await bob.delete(room, sent.message.id);
    expect(deleted.deletedAt).toEqual(expect.any(Number));
    expect((await deletions.next()).message.id).toBe(sent.message.id);

    // history paging both ways
    const texts = Array.from({ length: 7 }, (_, i) => `page message ${i}`);
    for (const text of texts) await bob.send(room, text);
    const backwards: string[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await alice.history(room, before === undefined ? { limit: 3 } : { limit: 3, before });
      backwards.unshift(...page.messages.map((m) => m.text));
      if (page.nextCursor === null) break;
      before = page.nextCursor;
    }
    expect(backwards.filter((t) => t.startsWith('page'))).toEqual(texts);
    const forwards: string[] = [];
    let after = 0;
    for (;;) {
      const page = await alice.history(room, { limit: 3, after });
      forwards.push(...page.messages.map((m) => m.text));
      if (page.nextCursor === null) break;
      after = page.nextCursor;
    }
    expect(forwards).toEqual(backwards);

    // typing
    const typing = events(alice, 'typing');
    await bob.typing(room, true);
    expect(await typing.next()).toMatchObject({
      room: { name: room },
      user: { username: 'bob' },
      typing: true,
    });

    // mute → send gives `muted`; unmute → send works
    const mutedEvents = events(bob, 'muted');
    const mute = await alice.mute('bob', { room, minutes: 5, reason: 'calm down' });
    expect(mute.expiresAt).toEqual(expect.any(Number));
    expect(await mutedEvents.next()).toMatchObject({ user: { username: 'bob' }, reason: 'calm down' });
    const refused = await bob.send(room, 'can I talk?').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ParleyClientError);
    expect(refused).toMatchObject({ code: 'muted', status: 403 });
    const unmutedEvents = events(bob, 'unmuted');
    await alice.unmute('bob', { room });
    await unmutedEvents.next();
    expect((await bob.send(room, 'thanks')).kind).toBe('message');

    // kick → `kicked`, disconnect code 4004, no reconnect; presence_leave for the others
    const leaves = events(alice, 'presence_leave');
    const kickedEvents = events(gus, 'kicked');
    const gusDisconnects = events(gus, 'disconnected');
    await alice.kick('gus', { reason: 'bye' });
    expect(await kickedEvents.next()).toMatchObject({ user: { username: 'gus' }, reason: 'bye' });
    expect(await gusDisconnects.next()).toMatchObject({ code: 4004, reason: 'kicked', willReconnect: false });
    expect(gus.state).toBe('closed');
    expect((await leaves.next((e) => e.user.username === 'gus')).room.name).toBe(room);

    // ban → 4005, and the user cannot come back
    const bobDisconnects = events(bob, 'disconnected');
    const ban = await alice.ban('bob', { reason: 'enough' });
    expect(ban.reason).toBe('enough');
    expect(await bobDisconnects.next()).toMatchObject({ code: 4005, reason: 'banned', willReconnect: false });
    expect(bob.state).toBe('closed');
    const bobAgain = pool.client(srv, transport, { token: bobToken });
    await expect(bobAgain.connect()).rejects.toMatchObject({ code: 'banned' });
    await alice.unban('bob');
    const bobBack = await connected(pool.client(srv, transport, { token: bobToken }));
    expect(bobBack.user?.username).toBe('bob');

    // leave
    await alice.leave(room);
    expect(alice.rooms).not.toContain(room);
    await expect(alice.send(room, 'not joined')).rejects.toMatchObject({ code: 'not_joined' });
  });

  it('[proto.disconnect] refresh extends a session; expired credentials close with 4001 and stay closed', async () => {
    const issue = (ttlSeconds: number) =>
      api<{ token: string; expiresAt: number | null }>(srv, 'POST', '/api/v1/apps/1/tokens', {
        username: 'bob',
        ttlSeconds,
      });
    const refreshed = pool.client(srv, transport, { token: (await issue(1)).token });
    const first = await refreshed.connect();
    const long = await issue(3600);
    const { expiresAt } = await refreshed.refresh({ token: long.token });
    expect(expiresAt).toBe(long.expiresAt);
    expect(expiresAt).toBeGreaterThan(first?.expiresAt ?? Infinity);

    // Opened after `refreshed` with the same lifetime: when it expires, `refreshed` would have too.
    const expiring = pool.client(srv, transport, { token: (await issue(1)).token });
    await expiring.connect();
    const disconnected = events(expiring, 'disconnected');
    expect(await disconnected.next(undefined, { timeoutMs: 10_000 })).toMatchObject({
      code: 4001,
      reason: 'credentials_expired',
      willReconnect: false,
    });
    expect(expiring.state).toBe('closed');
    expect(refreshed.state).toBe('open');
    expect(await refreshed.ping()).toEqual(expect.any(Number));
  });

  it('[proto.origin] a refused connection rejects connect() with the reason and does not reconnect', async () => {
    const app = await api<{ id: number }>(srv, 'POST', '/api/v1/apps', {
      name: `origins-${transport === 'ws' ? 'ws' : 'sio'}`,
      settings: { allowedOrigins: ['https://good.example'] },
    });
    const withOrigin = (origin: string): Partial<ParleyClientOptions> =>
      transport === 'ws'
        ? {
            WebSocket: class extends WebSocket {
              constructor(url: string) {
                super(url, { headers: { origin } });
              }
            },
          }
        : { socketIo: { extra: { extraHeaders: { origin } } } };
    const good = pool.client(
      srv,
      transport,
      { guest: 'from-good' },
      { app: app.id, ...withOrigin('https://good.example') },
    );
    expect((await good.connect())?.user.appId).toBe(app.id);
    const evil = pool.client(
      srv,
      transport,
      { guest: 'from-evil' },
      { app: app.id, ...withOrigin('https://evil.example') },
    );
    const disconnected = events(evil, 'disconnected');
    await expect(evil.connect()).rejects.toMatchObject({ code: 'origin_not_allowed', status: 403 });
    expect(await disconnected.next()).toMatchObject({
      willReconnect: false,
      error: { code: 'origin_not_allowed' },
    });
    expect(evil.state).toBe('closed');
  });

  it('[proto.errors] reports failures as catalogue errors', async () => {
    const bob = await connected(pool.client(srv, transport, { token: bobToken }));
    await expect(bob.join('no-such-room')).rejects.toMatchObject({ code: 'not_found', status: 404 });
    await expect(bob.request('join', { room: '' })).rejects.toMatchObject({
      code: 'bad_request',
      details: { field: 'room' },
    });
    await expect(bob.kick('alice')).rejects.toMatchObject({ code: 'forbidden' });
    expect(await bob.ping()).toEqual(expect.any(Number));
    const auth = pool.client(srv, transport);
    await auth.connect();
    expect(auth.user).toBeNull();
    await expect(auth.listRooms()).rejects.toMatchObject({ code: 'unauthorized' });
    const result = await auth.authenticate({ guest: 'late-guest' });
    expect(result.user.username).toBe('late-guest');
    await expect(auth.request('auth', { guest: 'again' })).rejects.toMatchObject({
      code: 'already_authenticated',
    });
    await waitFor(() => auth.state === 'open');
  });
});
