/**
 * Message visibility, shadow mutes, reports and the moderation queue over both framings with the typed client,
 * against a real server on real sockets (docs/protocol.md [proto.reports], docs/moderation.md).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/client/index.js';
import type { Engine } from '../../src/engine/engine.js';
import { refOf } from '../../src/engine/views.js';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api, ClientPool, events, NO_FLOOD, patchApp, register, setRole, TRANSPORTS } from './helpers.js';

describe.each(TRANSPORTS)('reports, the moderation queue and shadow mutes over %s', (transport) => {
  let srv: TestServer;
  const pool = new ClientPool();
  const tokens: Record<string, string> = {};
  let roomNo = 0;

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    // Accounts made by the test are minutes old: they count as established at once here.
    await patchApp(srv, { ...NO_FLOOD, reports: { hideAfter: 2, establishedAfterHours: 0 } });
    for (const name of ['alice', 'bob', 'carol', 'dave', 'mod']) tokens[name] = await register(srv, name);
    await setRole(srv, 'mod', 'mod');
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

  /** A fresh room joined by each of `clients`. */
  async function roomWith(...clients: ParleyClient[]): Promise<string> {
    roomNo += 1;
    const name = `rep-${transport === 'ws' ? 'w' : 's'}-${roomNo}`;
    await api(srv, 'POST', '/api/v1/apps/1/rooms', { name });
    for (const client of clients) await client.join(name);
    return name;
  }

  async function refusal(promise: Promise<unknown>): Promise<string> {
    return promise.then(
      () => 'succeeded',
      (err: unknown) => (err as { code: string }).code,
    );
  }

  async function sent(client: ParleyClient, room: string, text: string) {
    const result = await client.send(room, text);
    if (result.kind !== 'message') throw new Error('expected a message');
    return result.message;
  }

  it('[proto.reports.shadow] a shadow-muted user sees their messages as usual; only staff see them, marked', async () => {
    const [alice, bob, mod] = [await as('alice'), await as('bob'), await as('mod')];
    const room = await roomWith(alice, bob, mod);
    const aliceGot = events(alice, 'message');
    const bobGot = events(bob, 'message');
    const modGot = events(mod, 'message');
    const staffHeard = events(mod, 'shadow_muted');
    const bobHeard = events(bob, 'shadow_muted');
    expect(await refusal(alice.shadowMute('bob'))).toBe('forbidden');
    const shadow = await mod.shadowMute('bob', { minutes: 60, reason: 'spam' });
    expect(shadow).toMatchObject({ reason: 'spam' });
    expect((await staffHeard.next()).user.username).toBe('bob');

    const hidden = await sent(bob, room, 'buy my stuff');
    // The author is told nothing: the answer and the event carry no marking.
    expect(hidden.visibility).toBeUndefined();
    expect((await bobGot.next()).message.visibility).toBeUndefined();
    expect((await modGot.next((e) => e.message.id === hidden.id)).message.visibility).toBe('shadow');
    const later = await sent(mod, room, 'after');
    await aliceGot.next((e) => e.message.id === later.id);
    expect(aliceGot.items.map((e) => e.message.id)).toEqual([later.id]);

    // Reads hide it from others, show it to its author unmarked and to staff marked.
    expect((await alice.history(room)).messages.map((m) => m.id)).toEqual([later.id]);
    const bobHistory = (await bob.history(room)).messages;
    expect(bobHistory.find((m) => m.id === hidden.id)?.visibility).toBeUndefined();
    expect((await mod.history(room)).messages.find((m) => m.id === hidden.id)?.visibility).toBe('shadow');
    expect((await alice.search('stuff')).hits).toEqual([]);

    // Lifting it reveals nothing written meanwhile; new messages are seen again.
    await mod.unshadowMute('bob');
    expect(await refusal(mod.unshadowMute('bob'))).toBe('not_found');
    expect((await alice.history(room)).messages.map((m) => m.id)).toEqual([later.id]);
    const seen = await sent(bob, room, 'hello again');
    expect((await aliceGot.next((e) => e.message.id === seen.id)).message.visibility).toBeUndefined();
    expect(bobHeard.items).toEqual([]);
    const records = await api<{ records: { kind: string }[] }>(srv, 'GET', '/api/v1/apps/1/moderation');
    expect(records.records.map((r) => r.kind)).toEqual(
      expect.arrayContaining(['shadow_mute', 'unshadow_mute']),
    );
  });

  it('[proto.reports.report] one report per user and message; staff hear it; refusals', async () => {
    const [alice, bob, carol, mod] = [await as('alice'), await as('bob'), await as('carol'), await as('mod')];
    const room = await roomWith(alice, bob, carol, mod);
    const heard = events(mod, 'report_created');
    const aliceHeard = events(alice, 'report_created');
    const target = await sent(bob, room, 'rude words');
    const first = await alice.report(room, target.id, 'abuse', 'not nice');
    expect(first).toMatchObject({
      messageId: target.id,
      reason: 'abuse',
      text: 'not nice',
      duplicate: false,
    });
    expect(await heard.next()).toMatchObject({ messageId: target.id, reporters: 1, reason: 'abuse' });
    const again = await alice.report(room, target.id, 'spam');
    expect(again).toMatchObject({ reason: 'abuse', text: 'not nice', duplicate: true });
    expect(await refusal(bob.report(room, target.id, 'spam'))).toBe('forbidden');
    expect(await refusal(alice.report(room, 999_999, 'spam'))).toBe('not_found');
    expect(await refusal(alice.report(room, target.id, 'boring' as 'spam'))).toBe('bad_request');
    expect(await refusal(alice.reportQueue())).toBe('forbidden');
    expect(await refusal(alice.resolveReport(target.id, 'dismiss'))).toBe('forbidden');
    // Guests report only where guests may write (app 1 of the test server lets them).
    await patchApp(srv, { guestsCanWrite: false });
    try {
      const guest = pool.client(srv, transport, { guest: `rg${transport === 'ws' ? 'w' : 's'}` });
      await guest.connect();
      await guest.join(room);
      expect(await refusal(guest.report(room, target.id, 'spam'))).toBe('guest_read_only');
    } finally {
      await patchApp(srv, { guestsCanWrite: true });
    }
    const queue = await mod.reportQueue();
    const entry = queue.entries.find((e) => e.message.id === target.id);
    expect(entry).toMatchObject({ status: 'open', reason: 'abuse', reporters: 1, room: { name: room } });
    expect(entry?.reports).toEqual([
      expect.objectContaining({ reporter: expect.objectContaining({ username: 'alice' }), text: 'not nice' }),
    ]);
    expect(entry?.author).toMatchObject({ user: { username: 'bob' }, muted: false, banned: false });
    expect(aliceHeard.items).toEqual([]);
    // [proto.reports.queue-filter] The queue narrows by room, reason and words.
    const ids = async (query: Parameters<ParleyClient['reportQueue']>[0]) =>
      (await mod.reportQueue(query)).entries.map((e) => e.message.id);
    expect(await ids({ room, reason: 'abuse', q: target.text.split(' ')[0] })).toEqual([target.id]);
    expect(await ids({ room, reason: 'spam' })).toEqual([]);
    expect(await ids({ room, q: 'NEAR(" *' })).toEqual([]);
    expect(await refusal(mod.reportQueue({ q: 'x'.repeat(201) }))).toBe('bad_request');
    expect(await refusal(mod.reportQueue({ room: 'no-such-room' }))).toBe('not_found');
  });

  it('[proto.reports.autohide] K established reporters hide the message; a dismissal hands it out again', async () => {
    const [alice, bob, carol, dave, mod] = [
      await as('alice'),
      await as('bob'),
      await as('carol'),
      await as('dave'),
      await as('mod'),
    ];
    const room = await roomWith(alice, bob, carol, dave, mod);
    const before = await sent(dave, room, 'before');
    const target = await sent(bob, room, 'spam spam');
    const after = await sent(dave, room, 'after');
    const hiddenForAlice = events(alice, 'message_hidden');
    const aliceGot = events(alice, 'message');
    await alice.report(room, target.id, 'spam');
    await carol.report(room, target.id, 'spam');
    expect(await hiddenForAlice.next()).toMatchObject({ messageId: target.id, seq: target.seq });
    expect((await alice.history(room)).messages.map((m) => m.id)).not.toContain(target.id);
    const own = (await bob.history(room)).messages.find((m) => m.id === target.id);
    expect(own?.visibility).toBe('hidden');

    const entry = (await mod.reportQueue()).entries.find((e) => e.message.id === target.id);
    expect(entry).toMatchObject({ reporters: 2, message: { visibility: 'hidden' } });
    expect(entry?.context.map((m) => m.id)).toEqual(expect.arrayContaining([before.id, after.id]));

    const resolved = await mod.resolveReport(target.id, 'dismiss', { reason: 'fine' });
    expect(resolved).toMatchObject({ status: 'resolved', resolution: 'dismiss', note: 'fine' });
    const back = await aliceGot.next((e) => e.message.id === target.id);
    expect(back.released).toBe(true);
    expect(back.message.visibility).toBeUndefined();
    expect((await alice.history(room)).messages.map((m) => m.id)).toContain(target.id);
    expect(await refusal(mod.resolveReport(target.id, 'dismiss'))).toBe('not_found');
    // After a dismissal a third report does not hide it again.
    await dave.report(room, target.id, 'spam');
    expect((await alice.history(room)).messages.map((m) => m.id)).toContain(target.id);
  });

  it('[proto.reports.resolve] acting on an entry: delete the message, mute the author; recorded', async () => {
    const [alice, bob, mod] = [await as('alice'), await as('bob'), await as('mod')];
    const room = await roomWith(alice, bob, mod);
    const one = await sent(bob, room, 'first');
    const two = await sent(bob, room, 'second');
    await alice.report(room, one.id, 'spam');
    await alice.report(room, two.id, 'other', 'flooding');
    const deleted = events(alice, 'message_deleted');
    const muted = events(alice, 'muted');
    const byDelete = await mod.resolveReport(one.id, 'delete', { reason: 'spam' });
    expect(byDelete).toMatchObject({ resolution: 'delete', message: { deletedAt: expect.any(Number) } });
    expect((await deleted.next()).message.id).toBe(one.id);
    const byMute = await mod.resolveReport(two.id, 'mute', { minutes: 5, reason: 'flooding' });
    expect(byMute).toMatchObject({ resolution: 'mute', author: { muted: true } });
    expect((await muted.next()).user.username).toBe('bob');
    expect(await refusal(bob.send(room, 'more'))).toBe('muted');
    await mod.unmute('bob');
    const records = await api<{ records: { kind: string; detail: Record<string, unknown> }[] }>(
      srv,
      'GET',
      '/api/v1/apps/1/moderation',
    );
    const resolutions = records.records.filter((r) => r.kind === 'report_resolved').map((r) => r.detail);
    expect(resolutions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ messageId: one.id, action: 'delete', reason: 'spam' }),
        expect.objectContaining({ messageId: two.id, action: 'mute', minutes: 5 }),
      ]),
    );
    const resolvedPage = await mod.reportQueue({ status: 'resolved', limit: 50 });
    expect(resolvedPage.entries.map((e) => e.message.id)).toEqual(expect.arrayContaining([one.id, two.id]));
  });

  it('[proto.reports.held] a held message reaches only its author and staff, queues, and a dismissal releases it', async () => {
    const [alice, bob, mod] = [await as('alice'), await as('bob'), await as('mod')];
    const room = await roomWith(alice, bob, mod);
    const engine = srv.server.engine as unknown as Engine;
    const bobUser = await engine.catalog.findUser(1, 'bob');
    const heard = events(mod, 'report_created');
    const aliceGot = events(alice, 'message');
    const bobGot = events(bob, 'message');
    const result = await engine.messages.post({
      app: await engine.catalog.getApp(1),
      room: await engine.catalog.findRoom(1, room),
      author: refOf(bobUser),
      text: 'held for review',
      clientMsgId: null,
      commands: false,
      visibility: 'held',
    });
    if (result.kind !== 'message') throw new Error('expected a message');
    const held = result.message;
    expect((await bobGot.next()).message).toMatchObject({ id: held.id, visibility: 'held' });
    expect(await heard.next()).toMatchObject({ messageId: held.id, reason: 'held', reporters: 0 });
    const marker = await sent(mod, room, 'marker');
    await aliceGot.next((e) => e.message.id === marker.id);
    expect(aliceGot.items.map((e) => e.message.id)).toEqual([marker.id]);
    expect((await alice.history(room)).messages.map((m) => m.id)).toEqual([marker.id]);
    const entry = (await mod.reportQueue()).entries.find((e) => e.message.id === held.id);
    expect(entry).toMatchObject({ reason: 'held', message: { visibility: 'held' } });
    await mod.resolveReport(held.id, 'dismiss');
    const released = await aliceGot.next((e) => e.message.id === held.id);
    expect(released).toMatchObject({ released: true, message: { seq: held.seq, text: 'held for review' } });
  });
});
