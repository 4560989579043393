/**
 * Issue 10 case 1: replies are bounded like pushes. A client that pipelines large requests and never reads
 * its replies is closed as a slow consumer, and the server gives back what it held for it ([proto.limits]).
 * The server runs in a child process so that its RSS is its own. Every client is a raw socket that can stop
 * reading: a plain WebSocket at /ws, engine.io's WebSocket transport carrying native socket.io packets with
 * ack ids, and the same carrying the socketapi dialect's `join-channel`, whose reply replays the room.
 */
import { rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeTempDir, spawnServer, type SpawnedServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { RawSocketIo } from './rawSocketIo.js';
import { mb, recordOutcome, rssBytes } from './report.js';

const ADMIN_KEY = 'slow-replies-admin-key-0123456789';
const MESSAGES = 200;
const TEXT_LENGTH = 1900;
const PIPELINED = 40;
const MB = 1024 * 1024;
/** How far above its level before the attack the server's RSS may stay once the client is gone. */
const GIVEN_BACK_MB = 20;

interface Reply {
  id: number;
  ok: boolean;
  error?: { code: string };
}

async function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws?app=1`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

/** Sends requests and resolves each with its reply, matched by id. */
function requester(ws: WebSocket) {
  let nextId = 1;
  const pending = new Map<number, (reply: Reply) => void>();
  ws.on('message', (raw) => {
    const frame = JSON.parse(String(raw)) as Partial<Reply>;
    if (typeof frame.id === 'number') pending.get(frame.id)?.(frame as Reply);
  });
  return (op: string, data: unknown) =>
    new Promise<Reply>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, op, data }));
    });
}

async function settle<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read();
  }
  return value;
}

/**
 * Reads nothing until the server has stopped growing: by then it has answered all it would. Returns the peak
 * RSS seen and how long the server took to stop growing.
 */
async function holdStill(pid: number): Promise<{ peak: number; steadyMs: number }> {
  const started = Date.now();
  let last = 0;
  let peak = 0;
  let steadyReadings = 0;
  await settle(
    () => rssBytes(pid),
    (rss) => {
      peak = Math.max(peak, rss);
      steadyReadings = Math.abs(rss - last) < MB ? steadyReadings + 1 : 0;
      last = rss;
      return steadyReadings >= 5;
    },
    10_000,
  );
  return { peak, steadyMs: Date.now() - started };
}

/** RSS back within GIVEN_BACK_MB of `before`, waiting for it in a bounded loop. */
async function givenBack(pid: number, before: number): Promise<number> {
  const after = await settle(
    () => rssBytes(pid),
    (rss) => rss - before < GIVEN_BACK_MB * MB,
    30_000,
  );
  expect((after - before) / MB).toBeLessThan(GIVEN_BACK_MB);
  return after;
}

/** A paused client's attack from first request to the close it reads once it resumes, with the numbers. */
async function attack(
  pid: number,
  tcp: Socket,
  send: () => void,
  closed: Promise<unknown>,
): Promise<{ before: number; peak: number; steadyMs: number; closeMs: number }> {
  const before = await rssBytes(pid);
  tcp.pause();
  send();
  // Each reply is some 100-400 KB: far more than the outbound bound (1 MB) and what the kernel's socket buffers
  // take. Hold still until the server has stopped growing, then read what it sent: the close comes last.
  const { peak, steadyMs } = await holdStill(pid);
  const resumed = Date.now();
  tcp.resume();
  await closed;
  return { before, peak, steadyMs, closeMs: Date.now() - resumed };
}

describe('issue 10 case 1: replies are bounded, memory is given back (native ws, native socket.io, socketapi)', () => {
  let server: SpawnedServer | null = null;
  let dataDir = '';
  let url = '';
  let pid = 0;
  let lobbyId = 0;

  async function record(
    framing: string,
    measured: string,
    n: Awaited<ReturnType<typeof attack>>,
    after: number,
  ) {
    recordOutcome({
      id: `issue-10-case-1-${framing}`,
      fault: `${framing}: ${PIPELINED} pipelined ~${Math.round((MESSAGES * TEXT_LENGTH) / 1024)} KB replies, never read`,
      expected: 'closed as slow consumer (4008); RSS back within 20 MB of its level',
      measured,
      numbers: {
        rssBeforeMB: mb(n.before),
        rssPeakMB: mb(n.peak),
        rssAfterMB: mb(after),
        msToBound: n.steadyMs,
        msToCloseAfterRead: n.closeMs,
      },
    });
  }

  beforeAll(async () => {
    dataDir = await makeTempDir('parley-slow-replies-');
    server = await spawnServer({ dataDir, env: { PARLEY_ADMIN_KEY: ADMIN_KEY } });
    url = server.url;
    pid = server.child.pid as number;
    const patched = await fetch(`${url}/api/v1/apps/1`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        settings: { flood: { burst: 100_000, perSecond: 100_000 }, joinHistory: MESSAGES },
      }),
    });
    expect(patched.status).toBeLessThan(300);

    const writer = await open(url);
    const ask = requester(writer);
    expect((await ask('auth', { guest: 'writer' })).ok).toBe(true);
    const joined = (await ask('join', { room: 'lobby' })) as Reply & { data: { room: { id: number } } };
    lobbyId = joined.data.room.id;
    for (let i = 0; i < MESSAGES; i += 20) {
      const batch = Array.from({ length: 20 }, (_, j) =>
        ask('send', { room: 'lobby', text: `${i + j} ${'x'.repeat(TEXT_LENGTH)}` }),
      );
      for (const reply of await Promise.all(batch)) expect(reply.ok).toBe(true);
    }
    writer.close();

    // One full round first, so that the baseline includes what any client's history request costs once.
    const warm = await open(url);
    const warmAsk = requester(warm);
    expect((await warmAsk('auth', { guest: 'warm' })).ok).toBe(true);
    expect((await warmAsk('history', { room: 'lobby', limit: MESSAGES })).ok).toBe(true);
    warm.close();
  }, 60_000);

  afterAll(async () => {
    server?.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('[proto.limits] a client pipelining history requests without reading is closed with 4008 and its memory is given back', async () => {
    const reader = await open(url);
    const readerAsk = requester(reader);
    expect((await readerAsk('auth', { guest: 'reader' })).ok).toBe(true);
    const closed = new Promise<number>((resolve) => reader.once('close', (code) => resolve(code)));
    const tcp = (reader as unknown as { _socket: Socket })._socket;
    const numbers = await attack(
      pid,
      tcp,
      () => {
        for (let id = 1000; id < 1000 + PIPELINED; id++) {
          reader.send(JSON.stringify({ id, op: 'history', data: { room: 'lobby', limit: MESSAGES } }));
        }
      },
      closed,
    );
    expect(await closed).toBe(4008);
    const after = await givenBack(pid, numbers.before);
    await record('native-ws', 'closed 4008 slow_consumer; memory given back', numbers, after);
  });

  it('[proto.limits] the same over socket.io: acks count, and the client is told slow_consumer', async () => {
    const sio = await RawSocketIo.open(url);
    await sio.connect({ guest: 'sio-reader' });
    const numbers = await attack(
      pid,
      sio.tcp,
      () => {
        for (let ack = 1; ack <= PIPELINED; ack++)
          sio.emit('history', { room: 'lobby', limit: MESSAGES }, ack);
      },
      sio.closed,
    );
    const reasons = sio.events('disconnect_reason').map((data) => (data as { reason: string }).reason);
    expect(reasons).toEqual(['slow_consumer']);
    // Some replies went out before the bound was reached, not all of them.
    const acks = sio.packets.filter((p) => p.startsWith('43')).length;
    expect(acks).toBeLessThan(PIPELINED);
    const after = await givenBack(pid, numbers.before);
    await record(
      'native-socket.io',
      `disconnect_reason slow_consumer after ${acks} of ${PIPELINED} acks`,
      numbers,
      after,
    );
  });

  it('the same in the socketapi dialect: pipelined join-channel replays are cut as a slow consumer', async () => {
    const { token } = (await (
      await fetch(`${url}/api/v1/apps/1/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'sa_reader' }),
      })
    ).json()) as { token: string };
    const sa = await RawSocketIo.open(url, { nsp: '/socketapi', query: 'app=1' });
    await sa.connect();
    sa.emit('auth', { data: token });
    await waitFor(() => sa.events('auth-success').length > 0, { label: 'socketapi auth-success' });
    const numbers = await attack(
      pid,
      sa.tcp,
      () => {
        for (let i = 0; i < PIPELINED; i++) sa.emit('join-channel', { channelId: lobbyId });
      },
      sa.closed,
    );
    // A plain server disconnect, as docs/dialects/socketapi.md says of a slow consumer.
    expect(sa.packets).toContain('41/socketapi,');
    const replays = sa.events('channel-joined').length;
    expect(replays).toBeLessThan(PIPELINED);
    const after = await givenBack(pid, numbers.before);
    await record('socketapi', `disconnected after ${replays} of ${PIPELINED} replays`, numbers, after);
  });
});
