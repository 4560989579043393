/**
 * Slow mode, the word and link filter and escalation over both framings with the typed client, against a real
 * server on real sockets (docs/moderation.md, [proto.slow-mode]). Time is the server's manual clock: slow mode
 * is passed by moving it, never by waiting.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/client/index.js';
import { ManualClock } from '../helpers/engine.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api, ClientPool, events, NO_FLOOD, patchApp, register, setRole, TRANSPORTS } from './helpers.js';

async function refusal(
  promise: Promise<unknown>,
): Promise<{ code: string; details?: Record<string, unknown> }> {
  const error: unknown = await promise.then(
    () => new Error('expected a refusal'),
    (err: unknown) => err,
  );
  return error as { code: string; details?: Record<string, unknown> };
}

describe.each(TRANSPORTS)('send policy over %s', (transport) => {
  let srv: TestServer;
  const clock = new ManualClock(Date.now());
  const pool = new ClientPool();
  const tag = transport === 'ws' ? 'w' : 's';
  const tokens: Record<string, string> = {};
  let rooms = 0;

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } }, { clock });
    await patchApp(srv, NO_FLOOD);
    for (const name of ['mod', 'ann', 'bob', 'cat']) tokens[name] = await register(srv, `${name}${tag}`);
    await setRole(srv, `mod${tag}`, 'mod');
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  async function client(name: string): Promise<ParleyClient> {
    const c = pool.client(srv, transport, { token: tokens[name] ?? '' });
    await c.connect();
    return c;
  }

  async function inRoom(...names: string[]): Promise<{ room: string; clients: ParleyClient[] }> {
    const room = `policy-${tag}-${++rooms}`;
    const clients = await Promise.all(names.map(client));
    await clients[0]?.createRoom(room);
    for (const c of clients) await c.join(room);
    return { room, clients };
  }

  it('[proto.slow-mode] a mod sets slow mode; members wait between sends, mods do not; the join carries it', async () => {
    const {
      room,
      clients: [mod, ann],
    } = await inRoom('mod', 'ann');
    if (!mod || !ann) throw new Error('no clients');
    const told = events(ann, 'slow_mode_changed');
    expect(await refusal(ann.setSlowMode(room, 30))).toMatchObject({ code: 'forbidden' });
    const view = await mod.setSlowMode(room, 30);
    expect(view.slowModeSeconds).toBe(30);
    expect(await told.next()).toMatchObject({
      room: { name: room },
      seconds: 30,
      by: { username: `mod${tag}` },
    });
    expect((await ann.join(room)).room.slowModeSeconds).toBe(30);

    await ann.send(room, 'first');
    clock.advance(10_000);
    const refused = await refusal(ann.send(room, 'too soon'));
    expect(refused.code).toBe('slow_mode');
    expect(refused.details).toEqual({ retryAfterMs: 20_000, slowModeSeconds: 30 });
    await mod.send(room, 'mods are exempt');
    await mod.send(room, 'twice');
    clock.advance(20_000);
    expect((await ann.send(room, 'in time')).kind).toBe('message');

    await mod.setSlowMode(room, 0);
    expect(await told.next()).toMatchObject({ seconds: 0 });
    expect((await ann.join(room)).room).not.toHaveProperty('slowModeSeconds');
    expect((await ann.send(room, 'free again')).kind).toBe('message');
  });

  it('the word filter rejects and masks; a refused link is told as such', async () => {
    await patchApp(srv, {
      filter: {
        rules: [
          { phrase: 'badword', action: 'reject' },
          { phrase: 'darn', action: 'mask' },
        ],
        links: 'staff',
        linkMinAccountAgeHours: 0,
      },
      escalation: { ladder: [], strikeTtlHours: 1 },
    });
    try {
      const {
        room,
        clients: [bob, cat],
      } = await inRoom('bob', 'cat');
      if (!bob || !cat) throw new Error('no clients');
      const heard = events(cat, 'message');
      const refused = await refusal(bob.send(room, 'you B.A.D-W0RD'));
      expect(refused).toMatchObject({ code: 'message_filtered', details: { reason: 'phrase' } });
      const masked = await bob.send(room, 'oh Darn it');
      expect(masked.kind === 'message' && masked.message.text).toBe('oh **** it');
      expect((await heard.next()).message.text).toBe('oh **** it');
      if (masked.kind !== 'message') throw new Error('not a message');
      // Edits pass the same filter.
      expect((await bob.edit(room, masked.message.id, 'darn again')).text).toBe('**** again');
      expect(await refusal(bob.edit(room, masked.message.id, 'badword'))).toMatchObject({
        code: 'message_filtered',
      });
      const link = await refusal(bob.send(room, 'see example.com'));
      expect(link).toMatchObject({ code: 'message_filtered', details: { reason: 'link' } });
    } finally {
      await patchApp(srv, { filter: { rules: [], links: 'anyone', linkMinAccountAgeHours: 0 } });
    }
  });

  it('escalation: three filter hits warn, warn, then mute (recorded, strikes listed)', async () => {
    await patchApp(srv, {
      filter: {
        rules: [{ phrase: 'spamword', action: 'reject' }],
        links: 'anyone',
        linkMinAccountAgeHours: 0,
      },
      escalation: {
        ladder: [{ action: 'warn' }, { action: 'warn' }, { action: 'mute', minutes: 10 }],
        strikeTtlHours: 24,
      },
    });
    try {
      const {
        room,
        clients: [cat],
      } = await inRoom('cat');
      if (!cat) throw new Error('no client');
      const warnings = events(cat, 'warning');
      const mutes = events(cat, 'muted');
      for (let i = 0; i < 2; i++) {
        expect(await refusal(cat.send(room, 'spamword'))).toMatchObject({ code: 'message_filtered' });
        expect(await warnings.next()).toMatchObject({ source: 'filter', strikes: i + 1 });
      }
      expect(await refusal(cat.send(room, 'spamword'))).toMatchObject({ code: 'message_filtered' });
      const mute = await mutes.next();
      expect(mute).toMatchObject({ user: { username: `cat${tag}` }, by: null, minutes: 10, room: null });
      expect(mute.reason).toMatch(/^Automatic: 3 strikes \(latest: filter/);
      expect(await refusal(cat.send(room, 'hello'))).toMatchObject({ code: 'muted' });
      const { strikes } = await api<{ strikes: { source: string; active: boolean }[] }>(
        srv,
        'GET',
        `/api/v1/apps/1/users/cat${tag}/strikes`,
      );
      expect(strikes.map((s) => [s.source, s.active])).toEqual([
        ['filter', true],
        ['filter', true],
        ['filter', true],
      ]);
      await api(srv, 'DELETE', `/api/v1/apps/1/mutes/cat${tag}`);
    } finally {
      await patchApp(srv, { filter: { rules: [], links: 'anyone', linkMinAccountAgeHours: 0 } });
      clock.advance(25 * 3_600_000);
    }
  });
});
