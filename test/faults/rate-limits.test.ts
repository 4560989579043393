/**
 * Issue 10 case 5: every operation a client can call is rate limited per user (not only `send`), and
 * app-wide presence reaches watchers in batches, so that a storm of arrivals costs linear work.
 *
 * The server runs on a clock the test holds still: a bucket refills only when the test moves the clock by
 * the `retryAfterMs` it was told, and a presence batch is told only when the test moves the clock past its
 * window. Nothing here races a timer.
 */
import type { Socket as IoSocket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../helpers/engine.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { api, ClientPool, emitAck, patchApp, register, type RawWs } from '../native/helpers.js';
import { isType, NumericPool } from '../dialects/numeric/helpers.js';
import { recordOutcome } from './report.js';

/** Tiny limits so that a hammering client reaches them at once: 3 at a burst, then 1 a second. */
const TINY = { burst: 3, perSecond: 1 };
const HAMMER = 10;
const BATCH_MS = 50;
const STORM = 30;

type Reply = Record<string, unknown>;

interface Tally {
  sent: number;
  ok: number;
  refused: number;
  retryAfterMs: number;
}

/** Asks `ask` HAMMER times in a row; every answer is ok or rate_limited with a positive retryAfterMs. */
async function hammer(ask: () => Promise<Reply>): Promise<Tally> {
  const tally: Tally = { sent: 0, ok: 0, refused: 0, retryAfterMs: 0 };
  for (let i = 0; i < HAMMER; i++) {
    tally.sent += 1;
    const reply = await ask();
    if (reply.ok === true) {
      tally.ok += 1;
      continue;
    }
    const error = reply.error as { code: string; details?: { retryAfterMs?: unknown } };
    expect(error.code).toBe('rate_limited');
    const retryAfterMs = error.details?.retryAfterMs;
    expect(typeof retryAfterMs === 'number' && retryAfterMs > 0).toBe(true);
    tally.refused += 1;
    tally.retryAfterMs = retryAfterMs as number;
  }
  return tally;
}

async function authedWs(pool: ClientPool, srv: TestServer, auth: Record<string, string>): Promise<RawWs> {
  const ws = pool.rawWs(srv);
  await ws.opened;
  expect((await ws.request('auth', auth)).ok).toBe(true);
  return ws;
}

async function authedIo(pool: ClientPool, srv: TestServer, guest: string): Promise<IoSocket> {
  const socket = pool.rawIo(srv, { guest });
  await waitFor(() => socket.connected, { label: `${guest} connected over socket.io` });
  return socket;
}

describe('issue 10 case 5: every client operation is rate limited per user', () => {
  const clock = new ManualClock(Date.now());
  const pool = new ClientPool();
  const numeric = new NumericPool();
  let srv: TestServer;

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0, presenceBatchMs: BATCH_MS } }, { clock });
    await patchApp(srv, { limits: { history: TINY, join: TINY, members: TINY } });
  });
  afterEach(() => {
    pool.closeAll();
    numeric.closeAll();
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('issue 10 case 5: the per-app limits are validated and in the OpenAPI document', async () => {
    const refuse = async (limits: unknown) => {
      const res = await fetch(`${srv.url}/api/v1/apps/1`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${srv.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ settings: { limits } }),
      });
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: { code: string } }).error.code;
    };
    expect(await refuse({ send: TINY })).toBe('bad_request'); // send's limit is `flood`
    expect(await refuse({ nosuchop: TINY })).toBe('bad_request');
    expect(await refuse({ history: { burst: 0, perSecond: 1 } })).toBe('bad_request');
    const app = await api<{ settings: { limits: unknown } }>(srv, 'GET', '/api/v1/apps/1');
    expect(app.settings.limits).toEqual({ history: TINY, join: TINY, members: TINY });
    const doc = await api<{
      components: { schemas: { AppSettings: { properties: Record<string, unknown> } } };
    }>(srv, 'GET', '/api/v1/openapi.json');
    expect(Object.keys(doc.components.schemas.AppSettings.properties)).toContain('limits');
  });

  it('issue 10 case 5: history, join and members over native ws answer rate_limited, then succeed after retryAfterMs; others are unaffected', async () => {
    const ann = await authedWs(pool, srv, { guest: 'ws_ann' });
    const bob = await authedWs(pool, srv, { guest: 'ws_bob' });
    const tallies: Record<string, Tally> = {};
    for (const [op, data] of [
      ['history', { room: 'lobby' }],
      ['join', { room: 'lobby' }],
      ['members', { room: 'lobby' }],
    ] as const) {
      const tally = await hammer(() => ann.request(op, data));
      expect(tally).toMatchObject({ ok: TINY.burst, refused: HAMMER - TINY.burst });
      // Another user has a budget of their own.
      expect((await bob.request(op, data)).ok).toBe(true);
      clock.advance(tally.retryAfterMs);
      expect((await ann.request(op, data)).ok).toBe(true);
      tallies[op] = tally;
    }
    // Still connected: a limit refuses, it never disconnects.
    expect((await ann.request('ping')).ok).toBe(true);
    recordOutcome({
      id: 'issue10-case5-native-ws',
      fault: `a guest sends ${HAMMER} history, join and members requests in a row over native ws (limit ${TINY.burst} at once)`,
      expected:
        'the requests past the burst answer rate_limited with retryAfterMs; after that wait one succeeds; another user is unaffected',
      measured: 'as expected, the connection stays open',
      numbers: Object.fromEntries(
        Object.entries(tallies).flatMap(([op, t]) => [
          [`${op} sent`, t.sent],
          [`${op} ok`, t.ok],
          [`${op} refused`, t.refused],
          [`${op} retryAfterMs`, t.retryAfterMs],
        ]),
      ),
    });
  });

  it('issue 10 case 5: the same over socket.io framing', async () => {
    const ann = await authedIo(pool, srv, 'io_ann');
    const bob = await authedIo(pool, srv, 'io_bob');
    const tally = await hammer(() => emitAck(ann, 'history', { room: 'lobby' }));
    expect(tally).toMatchObject({ ok: TINY.burst, refused: HAMMER - TINY.burst });
    expect((await emitAck(bob, 'history', { room: 'lobby' })).ok).toBe(true);
    clock.advance(tally.retryAfterMs);
    expect((await emitAck(ann, 'history', { room: 'lobby' })).ok).toBe(true);
    expect(ann.connected).toBe(true);
    recordOutcome({
      id: 'issue10-case5-socketio',
      fault: `a guest sends ${HAMMER} history requests in a row over socket.io (limit ${TINY.burst} at once)`,
      expected: 'acks past the burst carry rate_limited with retryAfterMs; after that wait one succeeds',
      measured: 'as expected, the socket stays connected',
      numbers: { sent: tally.sent, ok: tally.ok, refused: tally.refused, retryAfterMs: tally.retryAfterMs },
    });
  });

  it('issue 10 case 5: the budget is the user’s, not the connection’s: two connections share it', async () => {
    const token = await register(srv, 'twotabs');
    const first = await authedWs(pool, srv, { token });
    const second = await authedWs(pool, srv, { token });
    let ok = 0;
    let refused = 0;
    for (let i = 0; i < HAMMER; i++) {
      const reply = await (i % 2 === 0 ? first : second).request('members', { room: 'lobby' });
      if (reply.ok === true) ok += 1;
      else refused += 1;
    }
    expect({ ok, refused }).toEqual({ ok: TINY.burst, refused: HAMMER - TINY.burst });
    clock.advance(1000);
    recordOutcome({
      id: 'issue10-case5-per-user',
      fault: `one user sends ${HAMMER} members requests alternating over two connections`,
      expected: `${TINY.burst} answered in all (the user's burst), not ${2 * TINY.burst}`,
      measured: `${ok} answered, ${refused} refused`,
      numbers: { sent: HAMMER, ok, refused },
    });
  });

  it('issue 10 case 5: a numeric client listing a channel too often is told to slow down in its own error frame, then served', async () => {
    const ann = await numeric.login(srv, 'num_ann');
    const bob = await numeric.login(srv, 'num_bob');
    let ok = 0;
    let refused = 0;
    let lastRefusal = '';
    for (let i = 0; i < HAMMER; i++) {
      ann.send({ type: 6, channel: 'lobby' });
      const frame = await ann.next((f) => f.type === 6 || f.type === -1);
      if (frame.type === 6) ok += 1;
      else {
        refused += 1;
        lastRefusal = String(frame.message);
      }
    }
    expect({ ok, refused }).toEqual({ ok: TINY.burst, refused: HAMMER - TINY.burst });
    expect(lastRefusal).toMatch(/Slow down\. Try again in \d+ seconds?\./);
    bob.send({ type: 6, channel: 'lobby' });
    await bob.next(isType(6));
    clock.advance(1000);
    ann.send({ type: 6, channel: 'lobby' });
    await ann.next((f) => f.type === 6);
    expect(ann.closeInfo).toBeNull();
    recordOutcome({
      id: 'issue10-case5-numeric',
      fault: `a numeric client sends ${HAMMER} list (type 6) frames in a row (limit ${TINY.burst} at once)`,
      expected: 'type -1 "… Slow down. Try again in N seconds." past the burst; served again after the wait',
      measured: `${ok} answered, ${refused} refused ("${lastRefusal}")`,
      numbers: { sent: HAMMER, ok, refused },
    });
  });
});

describe('issue 10 case 5: a storm of arrivals reaches watchers in batches', () => {
  const clock = new ManualClock(Date.now());
  const pool = new ClientPool();
  const numeric = new NumericPool();
  let srv: TestServer;

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0, presenceBatchMs: BATCH_MS } }, { clock });
  });
  afterAll(async () => {
    pool.closeAll();
    numeric.closeAll();
    await srv?.close();
  });

  it(`issue 10 case 5: ${STORM} arrivals and departures end with the exact online set at every watcher, in fewer frames than arrivals`, async () => {
    // Watchers: native ws, native socket.io, and a numeric client (whose login/logout frames are app-wide).
    const wsWatcher = await authedWs(pool, srv, { guest: 'watch_ws' });
    const ioWatcher = await authedIo(pool, srv, 'watch_io');
    const ioBatches: { online: { username: string }[]; offline: { username: string }[] }[] = [];
    ioWatcher.on('online_changed', (data: (typeof ioBatches)[number]) => ioBatches.push(data));
    const numWatcher = await numeric.login(srv, 'watch_num');
    const wsAnswer = await wsWatcher.request('watch_online');
    const ioAnswer = await emitAck(ioWatcher, 'watch_online', {});
    // The watchers' own arrivals are told in the first batch: let it go before the storm.
    clock.advance(BATCH_MS);
    await waitFor(() => ioBatches.length > 0 && wsWatcher.frames.some(isOnlineChanged), {
      label: 'the watchers’ own arrival batch',
    });

    const sets = {
      ws: new Set(namesOf((wsAnswer.data as { online: { username: string }[] }).online)),
      io: new Set(namesOf((ioAnswer.data as { online: { username: string }[] }).online)),
    };
    const framesBefore = { ws: onlineFrames(wsWatcher).length, io: ioBatches.length };
    applyBatches(sets.ws, onlineFrames(wsWatcher));
    applyBatches(sets.io, ioBatches);
    numWatcher.drain();

    const storm = Array.from({ length: STORM }, (_, i) => `storm_${i}`);
    const stormers = await Promise.all(storm.map((name) => authedWs(pool, srv, { guest: name })));
    await waitFor(() => storm.every((name) => online(srv).includes(name)), { label: 'every arrival online' });
    // The clock is held: the batch waits, however long the storm took.
    expect(onlineFrames(wsWatcher).length).toBe(framesBefore.ws);
    expect(ioBatches.length).toBe(framesBefore.io);
    clock.advance(BATCH_MS);
    const expectedAll = [...new Set([...sets.ws, ...storm])].sort();
    await waitFor(
      () => onlineFrames(wsWatcher).length > framesBefore.ws && ioBatches.length > framesBefore.io,
      {
        label: 'the storm batch',
      },
    );
    const arrivalFrames = {
      ws: onlineFrames(wsWatcher).length - framesBefore.ws,
      io: ioBatches.length - framesBefore.io,
    };
    applyBatches(sets.ws, onlineFrames(wsWatcher).slice(framesBefore.ws));
    applyBatches(sets.io, ioBatches.slice(framesBefore.io));
    expect([...sets.ws].sort()).toEqual(expectedAll);
    expect([...sets.io].sort()).toEqual(expectedAll);
    const numLogins = await framesAbout(numWatcher.frames, 2, storm);

    const wsAfterArrivals = onlineFrames(wsWatcher).length;
    const ioAfterArrivals = ioBatches.length;
    for (const stormer of stormers) stormer.ws.close();
    await waitFor(() => storm.every((name) => !online(srv).includes(name)), { label: 'every departure' });
    expect(onlineFrames(wsWatcher).length).toBe(wsAfterArrivals);
    clock.advance(BATCH_MS);
    await waitFor(
      () => onlineFrames(wsWatcher).length > wsAfterArrivals && ioBatches.length > ioAfterArrivals,
      {
        label: 'the departure batch',
      },
    );
    applyBatches(sets.ws, onlineFrames(wsWatcher).slice(wsAfterArrivals));
    applyBatches(sets.io, ioBatches.slice(ioAfterArrivals));
    const expectedAfter = expectedAll.filter((name) => !storm.includes(name));
    expect([...sets.ws].sort()).toEqual(expectedAfter);
    expect([...sets.io].sort()).toEqual(expectedAfter);
    await framesAbout(numWatcher.frames, 3, storm);

    const departureFrames = onlineFrames(wsWatcher).length - wsAfterArrivals;
    expect(arrivalFrames.ws).toBeLessThan(STORM);
    expect(arrivalFrames.io).toBeLessThan(STORM);
    expect(departureFrames).toBeLessThan(STORM);
    recordOutcome({
      id: 'issue10-case5-watch-online-storm',
      fault: `${STORM} users connect at once and leave at once while native ws, socket.io and numeric clients watch app presence`,
      expected:
        'each native watcher gets one online_changed per batch window, not one frame per arrival; every watcher ends with the exact online set',
      measured: `ws watcher: ${arrivalFrames.ws} frame(s) for ${STORM} arrivals, ${departureFrames} for ${STORM} departures; exact sets at every watcher`,
      numbers: {
        arrivals: STORM,
        'ws frames for arrivals': arrivalFrames.ws,
        'socket.io frames for arrivals': arrivalFrames.io,
        'ws frames for departures': departureFrames,
        'numeric login frames': numLogins,
      },
    });
  });
});

interface Batch {
  online: { username: string }[];
  offline: { username: string }[];
}

function namesOf(users: { username: string }[]): string[] {
  return users.map((u) => u.username);
}

function isOnlineChanged(frame: unknown): boolean {
  return (
    typeof frame === 'object' && frame !== null && (frame as { event?: unknown }).event === 'online_changed'
  );
}

/** The `online_changed` pushes a raw ws watcher received, in order. */
function onlineFrames(ws: RawWs): Batch[] {
  return ws.frames.filter(isOnlineChanged).map((frame) => (frame as { data: Batch }).data);
}

function applyBatches(set: Set<string>, batches: Batch[]): void {
  for (const batch of batches) {
    for (const name of namesOf(batch.offline)) set.delete(name);
    for (const name of namesOf(batch.online)) set.add(name);
  }
}

function online(srv: TestServer): string[] {
  return srv.server.engine.online(1).map((entry) => entry.user.username);
}

/** Waits until a numeric client holds a frame of `type` about each of `users`; answers how many it holds. */
async function framesAbout(
  frames: Record<string, unknown>[],
  type: number,
  users: string[],
): Promise<number> {
  const about = () => new Set(frames.filter((f) => f.type === type).map((f) => String(f.user)));
  await waitFor(() => users.every((name) => about().has(name)), {
    label: `type ${type} frames for every user`,
  });
  return users.filter((name) => about().has(name)).length;
}
