/**
 * [proto.limits] Replies are bounded like pushes: a client that pipelines large requests and never reads its
 * replies is closed as a slow consumer, and the server gives back what it held for it. The server runs in a
 * child process so that its RSS is its own. Both clients are raw sockets that can stop reading: a plain
 * WebSocket at /ws, and engine.io's WebSocket transport carrying socket.io packets with ack ids.
 */
import { readFile, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeTempDir, spawnServer, type SpawnedServer } from '../helpers/server.js';

const ADMIN_KEY = 'slow-replies-admin-key-0123456789';
const MESSAGES = 200;
const TEXT_LENGTH = 1900;
const PIPELINED = 40;
const MB = 1024 * 1024;

interface Reply {
  id: number;
  ok: boolean;
  error?: { code: string };
}

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!match) throw new Error('no VmRSS in /proc status');
  return Number(match[1]) * 1024;
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

/** Reads nothing until the server has stopped growing: by then it has answered all it would. */
async function holdStill(pid: number): Promise<void> {
  let last = 0;
  let steadyReadings = 0;
  await settle(
    () => rssBytes(pid),
    (rss) => {
      steadyReadings = Math.abs(rss - last) < MB ? steadyReadings + 1 : 0;
      last = rss;
      return steadyReadings >= 5;
    },
    10_000,
  );
}

/** RSS back within 20 MB of `before`, waiting for it in a bounded loop. */
async function expectGivenBack(pid: number, before: number): Promise<void> {
  const after = await settle(
    () => rssBytes(pid),
    (rss) => rss - before < 20 * MB,
    30_000,
  );
  expect((after - before) / MB).toBeLessThan(20);
}

describe('bounded replies', () => {
  let server: SpawnedServer | null = null;
  let dataDir = '';
  let url = '';
  let pid = 0;

  beforeAll(async () => {
    dataDir = await makeTempDir('parley-slow-replies-');
    server = await spawnServer({ dataDir, env: { PARLEY_ADMIN_KEY: ADMIN_KEY } });
    url = server.url;
    pid = server.child.pid as number;
    const patched = await fetch(`${url}/api/v1/apps/1`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { flood: { burst: 100_000, perSecond: 100_000 } } }),
    });
    expect(patched.status).toBeLessThan(300);

    const writer = await open(url);
    const ask = requester(writer);
    expect((await ask('auth', { guest: 'writer' })).ok).toBe(true);
    expect((await ask('join', { room: 'lobby' })).ok).toBe(true);
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
    const before = await rssBytes(pid);
    const reader = await open(url);
    const readerAsk = requester(reader);
    expect((await readerAsk('auth', { guest: 'reader' })).ok).toBe(true);
    const closed = new Promise<number>((resolve) => reader.once('close', (code) => resolve(code)));
    const tcp = (reader as unknown as { _socket: Socket })._socket;
    tcp.pause();
    for (let id = 1000; id < 1000 + PIPELINED; id++) {
      reader.send(JSON.stringify({ id, op: 'history', data: { room: 'lobby', limit: MESSAGES } }));
    }
    // Each reply is some 400 KB: far more than the outbound bound (1 MB) and what the kernel's socket buffers
    // take. Hold still until the server has stopped growing, then read what it sent: the close comes last.
    await holdStill(pid);
    tcp.resume();
    expect(await closed).toBe(4008);
    await expectGivenBack(pid, before);
  });

  it('[proto.limits] the same over socket.io: acks count, and the client is told slow_consumer', async () => {
    const before = await rssBytes(pid);
    // engine.io's WebSocket transport straight away, then socket.io's CONNECT with the handshake auth.
    const sio = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
    const packets: string[] = [];
    sio.on('message', (raw) => {
      const packet = String(raw);
      packets.push(packet);
      if (packet === '2') sio.send('3'); // engine.io ping → pong
    });
    const closed = new Promise<void>((resolve) => sio.once('close', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      sio.once('open', () => resolve());
      sio.once('error', reject);
    });
    sio.send(`40${JSON.stringify({ guest: 'sio-reader' })}`);
    await settle(
      async () => packets.some((p) => p.startsWith('40{')),
      (connected) => connected,
      10_000,
    );
    expect(packets.some((p) => p.startsWith('40{'))).toBe(true);

    const tcp = (sio as unknown as { _socket: Socket })._socket;
    tcp.pause();
    for (let ack = 1; ack <= PIPELINED; ack++) {
      sio.send(`42${ack}${JSON.stringify(['history', { room: 'lobby', limit: MESSAGES }])}`);
    }
    await holdStill(pid);
    tcp.resume();
    await closed;
    const reasons = packets
      .filter((p) => p.startsWith('42["disconnect_reason"'))
      .map((p) => (JSON.parse(p.slice(2)) as [string, { reason: string }])[1].reason);
    expect(reasons).toEqual(['slow_consumer']);
    // Some replies went out before the bound was reached, not all of them.
    const acks = packets.filter((p) => p.startsWith('43')).length;
    expect(acks).toBeLessThan(PIPELINED);
    await expectGivenBack(pid, before);
  });
});
