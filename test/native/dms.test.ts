/**
 * Direct messages and blocking over both framings with the typed client, against a real server on real sockets
 * (docs/protocol.md [proto.dms]).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/client/index.js';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { ClientPool, events, NO_FLOOD, patchApp, register, TRANSPORTS } from './helpers.js';

describe.each(TRANSPORTS)('direct messages and blocks over %s', (transport) => {
  let srv: TestServer;
  const pool = new ClientPool();
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
    for (const name of ['alice', 'bob', 'carol', 'dave']) tokens[name] = await register(srv, name);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  async function as(name: string): Promise<ParleyClient> {
    const client = pool.client(srv, transport, { token: tokens[name] as string });
    await client.connect();
    return client;
  }

  async function refusal(promise: Promise<unknown>): Promise<string> {
    return promise.then(
      () => 'succeeded',
      (err: unknown) => (err as { code: string }).code,
    );
  }

  it('[proto.dms.open] both sides opening the DM get the same private two-member room, listed for both', async () => {
    const alice = await as('alice');
    const bob = await as('bob');
    const created = events(bob, 'room_created');
    const fromAlice = await alice.openDm('bob');
    expect(fromAlice).toMatchObject({ visibility: 'private', dm: true });
    expect(fromAlice.name).toMatch(/^dm:\d+:\d+$/);
    expect((await created.next((e) => e.room.id === fromAlice.id)).room.dm).toBe(true);
    const fromBob = await bob.openDm('ALICE');
    expect(fromBob.id).toBe(fromAlice.id);
    expect(fromBob.name).toBe(fromAlice.name);

    await alice.join(fromAlice.name);
    await bob.join(fromBob.name);
    const got = events(bob, 'message');
    await alice.send(fromAlice.name, 'psst');
    expect((await got.next()).message.text).toBe('psst');

    const aliceDms = await alice.listDms();
    const entry = aliceDms.find((d) => d.room.id === fromAlice.id);
    expect(entry).toMatchObject({ user: { username: 'bob' }, lastSeq: 1, lastMessage: { text: 'psst' } });
    // The author has read what it wrote; bob has one unread message there, counted in his list of DMs.
    expect(entry?.room.unread).toBe(0);
    const bobEntry = (await bob.listDms()).find((d) => d.room.id === fromAlice.id);
    expect(bobEntry).toMatchObject({ user: { username: 'alice' }, room: { unread: 1, unreadMentions: 0 } });
    expect((await alice.listRooms()).find((r) => r.id === fromAlice.id)?.dm).toBe(true);
    // A third user cannot join it.
    const carol = await as('carol');
    expect(await refusal(carol.join(fromAlice.name))).toBe('forbidden');
  });

  it('[proto.dms.notice] the other member outside the DM room hears dm_message; inside it, only the message', async () => {
    const carol = await as('carol');
    const dave = await as('dave');
    const dm = await carol.openDm('dave');
    await carol.join(dm.name);
    await dave.join('lobby');
    const notices = events(dave, 'dm_message');
    const ownNotices = events(carol, 'dm_message');
    await carol.send(dm.name, 'are you there?');
    const notice = await notices.next();
    expect(notice).toMatchObject({ room: { id: dm.id, name: dm.name }, message: { text: 'are you there?' } });
    expect(notice.message.author?.username).toBe('carol');

    // In the room, the message says it: no notice besides.
    await dave.join(dm.name);
    const live = events(dave, 'message');
    await carol.send(dm.name, 'ah, hello');
    expect((await live.next()).message.text).toBe('ah, hello');
    // A later notice would have arrived before the message (same connection, sent first): none did.
    expect(notices.items).toHaveLength(1);
    expect(ownNotices.items).toHaveLength(0);
  });

  it('[proto.dms.refusals] DM to oneself, to an unknown user, by a guest, and with DMs off are refused', async () => {
    const alice = await as('alice');
    expect(await refusal(alice.openDm('alice'))).toBe('bad_request');
    expect(await refusal(alice.openDm('nobody-here'))).toBe('not_found');
    const guest = pool.client(srv, transport, { guest: `gus${transport === 'ws' ? 'w' : 's'}` });
    await guest.connect();
    expect(await refusal(guest.openDm('alice'))).toBe('dms_disabled');
    await patchApp(srv, { guestDms: true });
    try {
      expect((await guest.openDm('alice')).dm).toBe(true);
    } finally {
      await patchApp(srv, { guestDms: false });
    }
    // The name is reserved: no room can be created under it.
    expect(await refusal(alice.createRoom('dm:1:2'))).toBe('bad_request');
    await patchApp(srv, { dms: false });
    try {
      expect(await refusal(alice.openDm('bob'))).toBe('dms_disabled');
    } finally {
      await patchApp(srv, { dms: true });
    }
    expect((await alice.openDm('bob')).dm).toBe(true);
  });

  it("[proto.dms.block] the blocker gets none of the blocked user's messages, live, in history or replay; others do", async () => {
    const bob = await as('bob');
    const bobElsewhere = await as('bob');
    const carol = await as('carol');
    const alice = await as('alice');
    // carol's DM with bob exists before the block.
    const dm = await carol.openDm('bob');
    await carol.join(dm.name);
    const room = `blockroom-${transport === 'ws' ? 'ws' : 'sio'}`;
    await alice.createRoom(room);
    for (const c of [alice, bob, carol]) await c.join(room);

    const changed = events(bobElsewhere, 'block_changed');
    expect((await bob.block('carol')).username).toBe('carol');
    expect(await changed.next()).toMatchObject({ user: { username: 'carol' }, blocked: true });
    expect((await bob.blocks()).map((u) => u.username)).toEqual(['carol']);
    expect(await refusal(bob.block('bob'))).toBe('bad_request');

    const bobGot = events(bob, 'message');
    const aliceGot = events(alice, 'message');
    await carol.send(room, 'from carol');
    await alice.send(room, 'from alice');
    expect((await aliceGot.next((e) => e.message.text === 'from alice')).message.text).toBe('from alice');
    expect(aliceGot.items.map((e) => e.message.text)).toContain('from carol');
    await bobGot.next((e) => e.message.text === 'from alice');
    expect(bobGot.items.map((e) => e.message.text)).toEqual(['from alice']);

    const bobHistory = (await bob.history(room)).messages.map((m) => m.text);
    expect(bobHistory).toEqual(['from alice']);
    expect((await alice.history(room)).messages.map((m) => m.text)).toEqual(['from carol', 'from alice']);
    const replay = await (await as('bob')).join(room);
    expect(replay.messages.map((m) => m.text)).toEqual(['from alice']);
    expect(replay.lastSeq).toBe(2);

    // The blocked one can neither open nor write the DM.
    expect(await refusal(carol.openDm('bob'))).toBe('blocked');
    expect(await refusal(carol.send(dm.name, 'hello?'))).toBe('blocked');

    // Unblocked: carol's messages reach bob again.
    await bob.unblock('carol');
    expect(await changed.next()).toMatchObject({ user: { username: 'carol' }, blocked: false });
    await carol.send(room, 'carol again');
    await bobGot.next((e) => e.message.text === 'carol again');
    expect(await bob.blocks()).toEqual([]);
  });

  it("[proto.dms.resume] seqs left out for a blocked author do not break the client's exactly-once resume", async () => {
    const dave = await as('dave');
    const carol = await as('carol');
    const room = `resume-${transport === 'ws' ? 'ws' : 'sio'}`;
    await carol.createRoom(room);
    await dave.join(room);
    await carol.join(room);
    await dave.block('carol');
    const alice = await as('alice');
    await alice.join(room);
    const daveGot = events(dave, 'message');
    const gaps = events(dave, 'gap');
    await alice.send(room, 'a1');
    await carol.send(room, 'c1');
    await alice.send(room, 'a2');
    await daveGot.next((e) => e.message.text === 'a2');
    dave.dropConnection();
    await alice.send(room, 'a3');
    await carol.send(room, 'c2');
    await alice.send(room, 'a4');
    await daveGot.next((e) => e.message.text === 'a4', { timeoutMs: 10_000 });
    await waitFor(() => dave.state === 'open');
    await alice.send(room, 'a5');
    await daveGot.next((e) => e.message.text === 'a5');
    expect(daveGot.items.map((e) => e.message.text)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    expect(gaps.items).toEqual([]);
    await dave.unblock('carol');
  });
});
