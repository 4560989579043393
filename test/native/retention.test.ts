/**
 * Retention against a real server with real clients (docs/data-protection.md): only messages older than the
 * room's retention go (a room's own setting wins over the app's, null keeps forever), in bounded batches, while
 * sends keep being acknowledged; purged messages simply drop out of history.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/client/index.js';
import type { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../helpers/engine.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api, ClientPool, NO_FLOOD, patchApp, register } from './helpers.js';

const DAY = 86_400_000;

describe('retention', () => {
  let srv: TestServer;
  let engine: Engine;
  const clock = new ManualClock(Date.now());
  const pool = new ClientPool();
  let writers = 0;

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } }, { clock });
    engine = srv.server.engine as unknown as Engine;
    await patchApp(srv, { ...NO_FLOOD });
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  /** A new account each time: the clock moves past a token's lifetime between the tests. */
  async function writer(rooms: string[]): Promise<ParleyClient> {
    writers += 1;
    const client = pool.client(srv, 'ws', { token: await register(srv, `writer${writers}`) });
    await client.connect();
    for (const room of rooms) await client.join(room);
    return client;
  }

  async function texts(room: string): Promise<string[]> {
    const page = await api<{ messages: { text: string }[] }>(
      srv,
      'GET',
      `/api/v1/apps/1/rooms/${room}/messages?limit=100`,
    );
    return page.messages.map((m) => m.text);
  }

  async function room(name: string, retentionDays?: number | null): Promise<void> {
    await api(srv, 'POST', '/api/v1/apps/1/rooms', { name });
    if (retentionDays !== undefined) {
      const view = await api(srv, 'PATCH', `/api/v1/apps/1/rooms/${name}`, { retentionDays });
      expect(view).toMatchObject({ name, retentionDays });
    }
  }

  it("purges only what is older than the room's retention; a room's own setting wins; null keeps", async () => {
    await patchApp(srv, { retentionDays: 30 });
    await room('follows-app');
    await room('kept', null);
    await room('short', 1);
    const rooms = ['follows-app', 'kept', 'short'];
    const client = await writer(rooms);
    for (const r of rooms) await client.send(r, 'first');
    clock.advance(2 * DAY);
    for (const r of rooms) await client.send(r, 'second');

    const sweep = await engine.retention.sweep();
    expect(sweep).toMatchObject({ ran: true, purged: 1 });
    expect(await texts('short')).toEqual(['second']);
    expect(await texts('follows-app')).toEqual(['first', 'second']);

    clock.advance(29 * DAY);
    expect(await engine.retention.sweep()).toMatchObject({ ran: true, purged: 2 });
    expect(await texts('follows-app')).toEqual(['second']);
    expect(await texts('short')).toEqual([]);
    expect(await texts('kept')).toEqual(['first', 'second']);

    // Back to the app's setting: the room's first message goes with the app's 30 days.
    await api(srv, 'PATCH', '/api/v1/apps/1/rooms/kept', { retentionDays: 'app' });
    expect(await engine.retention.sweep()).toMatchObject({ purged: 1 });
    expect(await texts('kept')).toEqual(['second']);
    await patchApp(srv, { retentionDays: null });
  });

  it('purges in bounded batches while sends keep being acknowledged', async () => {
    await room('bulk', 1);
    await room('busy');
    const client = await writer(['bulk', 'busy']);
    const TOTAL = 600;
    for (let i = 0; i < TOTAL; i += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, j) => client.send('bulk', `old ${i + j}`)));
    }
    clock.advance(2 * DAY);
    engine.retention.settings.batch = 25;
    const before = engine.retention.batchesDone;
    const expected = TOTAL / 25;

    let done = false;
    const purge = engine.retention.sweep().finally(() => {
      done = true;
    });
    // Sends while the purge runs, each ack noting how far the purge had got.
    const progressAtAck: number[] = [];
    while (!done) {
      await client.send('busy', `live ${progressAtAck.length}`);
      progressAtAck.push(engine.retention.batchesDone - before);
    }
    const result = await purge;
    expect(result).toMatchObject({ ran: true, purged: TOTAL, batches: expected });
    expect(result.purged / result.batches).toBeLessThanOrEqual(25);
    // Some sends were acknowledged with the purge part way through.
    expect(progressAtAck.some((n) => n > 0 && n < expected)).toBe(true);
    expect(await texts('bulk')).toEqual([]);
    // Every send during the purge was stored (the newest page of the room ends with the last one).
    expect((await texts('busy')).at(-1)).toBe(`live ${progressAtAck.length - 1}`);
  });
});
