import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { once, withTimeout } from '../helpers/wait.js';
import { rawWs } from './rawWs.js';
import { recordOutcome, rssBytes } from './report.js';

/** Small timeouts, so that each kind is cut off quickly; the defaults are in docs/deploy.md. */
const TIMEOUTS = {
  headersTimeoutMs: 400,
  requestTimeoutMs: 800,
  keepAliveTimeoutMs: 400,
  authTimeoutMs: 400,
};
/** Long enough for any of them to fire (Node checks HTTP deadlines every 100 ms here), short of a hang. */
const CLOSE_WAIT_MS = 8000;
const DRIP_MS = 50;

type SlowKind = 'silent' | 'dripping headers' | 'dripping upgrade' | 'trickling body' | 'kept-alive idle';

interface SlowSocket {
  kind: SlowKind;
  /** Resolves when the server has closed the connection: after how long, and what it answered. */
  closed: Promise<{ ms: number; answer: string }>;
}

/** What each kind sends at once, and what it drips afterwards (nothing for the two that stay quiet). */
const OPENINGS: Record<SlowKind, { first: string; drip: string | null }> = {
  silent: { first: '', drip: null },
  'dripping headers': { first: 'GET /healthz HTTP/1.1\r\nHost: x\r\n', drip: 'X-Slow: a\r\n' },
  'dripping upgrade': {
    first: 'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n',
    drip: 'X-Slow: a\r\n',
  },
  'trickling body': {
    first:
      'POST /api/v1/apps/1/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
      'Content-Length: 1000\r\n\r\n{"username":"',
    drip: 'a',
  },
  'kept-alive idle': { first: 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', drip: null },
};

function slowSocket(port: number, kind: SlowKind): Promise<SlowSocket> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let answer = '';
    let timer: ReturnType<typeof setInterval> | null = null;
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.once('connect', () => {
      const opened = Date.now();
      const { first, drip } = OPENINGS[kind];
      if (first) socket.write(first);
      if (drip) timer = setInterval(() => socket.writable && socket.write(drip), DRIP_MS);
      const closed = new Promise<{ ms: number; answer: string }>((done) =>
        socket.once('close', () => {
          if (timer) clearInterval(timer);
          done({ ms: Date.now() - opened, answer });
        }),
      );
      resolve({ kind, closed });
    });
  });
}

/** Signs in as a guest on the native WebSocket protocol: a normal client, served while the slow ones wait. */
async function normalClient(srv: TestServer, name: string): Promise<void> {
  const ws = new WebSocket(`${srv.url.replace('http', 'ws')}/ws`);
  await once(ws, 'open', { rejectOn: ['error'] });
  const reply = once<[Buffer]>(ws, 'message');
  ws.send(JSON.stringify({ id: 1, op: 'auth', data: { guest: name } }));
  const [raw] = await reply;
  expect(JSON.parse(raw.toString())).toMatchObject({ id: 1, ok: true });
  ws.close();
}

describe('issue 10 slowloris: slow and silent connections are cut off by the server', () => {
  let srv: TestServer;

  beforeAll(async () => {
    srv = await startTestServer(TIMEOUTS);
  });
  afterAll(async () => {
    await srv?.close();
  });

  it.each<[SlowKind, string]>([
    ['silent', '408'],
    ['dripping headers', '408'],
    ['dripping upgrade', '408'],
    ['trickling body', '408'],
    ['kept-alive idle', '200'],
  ])('issue 10 slowloris: the server closes a %s connection', async (kind, status) => {
    const slow = await slowSocket(srv.port, kind);
    const { ms, answer } = await withTimeout(slow.closed, CLOSE_WAIT_MS, `${kind} close`);
    expect(answer.startsWith(`HTTP/1.1 ${status}`)).toBe(true);
    recordOutcome({
      id: `issue-10-slowloris-${kind.replace(/ /g, '-')}`,
      fault: `a ${kind} connection (raw TCP)`,
      expected: `closed by the server after its timeout (${JSON.stringify(TIMEOUTS)})`,
      measured: `closed after ${ms} ms, answered ${answer.slice(0, 12)}`,
      numbers: { timeToCloseMs: ms },
    });
  });

  it.each([
    ['native ws', '/ws?app=1'],
    ['chatroom', '/chatroom'],
  ])(
    'issue 10 slowloris: an upgraded %s WebSocket that never signs in is closed (auth_timeout 4002)',
    async (_, path) => {
      const ws = await rawWs(srv.port, path);
      await withTimeout(ws.ended, CLOSE_WAIT_MS, `${path} auth deadline`);
      expect(ws.closeCode).toBe(4002);
      ws.socket.destroy();
    },
  );

  it.each([
    ['native socket.io', '/'],
    ['moneypot', '/moneypot'],
    ['eventchat', '/eventchat'],
    ['socketapi', '/socketapi'],
  ])(
    'issue 10 slowloris: a %s socket that joins its namespace and never signs in is disconnected',
    async (_, nsp) => {
      const ws = await rawWs(srv.port, '/socket.io/?EIO=4&transport=websocket');
      ws.sendText(nsp === '/' ? '40' : `40${nsp},`);
      const prefix = nsp === '/' ? '41' : `41${nsp},`;
      await withTimeout(
        (async () => {
          while (!ws.texts.some((t) => t.startsWith(prefix))) await once(ws.socket, 'data');
        })(),
        CLOSE_WAIT_MS,
        `${nsp} auth deadline`,
      );
      ws.socket.destroy();
    },
  );

  it('issue 10 slowloris: an engine.io session that never joins a namespace is closed', async () => {
    const ws = await rawWs(srv.port, '/socket.io/?EIO=4&transport=websocket');
    await withTimeout(ws.ended, CLOSE_WAIT_MS, 'engine.io connect timeout');
    ws.socket.destroy();
  });

  it('issue 10 slowloris: a normal client is served while 200 slow sockets are open, which are all cut off', async () => {
    const rssBefore = await rssBytes();
    const kinds = Object.keys(OPENINGS) as SlowKind[];
    const opened = Date.now();
    const slow = await Promise.all(
      Array.from({ length: 200 }, (_, i) => slowSocket(srv.port, kinds[i % kinds.length] as SlowKind)),
    );
    const rssPeak = await rssBytes();
    await normalClient(srv, 'patient');
    const health = await fetch(`${srv.url}/healthz`);
    expect(health.status).toBe(200);
    const closes = await withTimeout(
      Promise.all(slow.map((s) => s.closed)),
      CLOSE_WAIT_MS,
      'every slow socket closed',
    );
    const allClosedMs = Date.now() - opened;
    const rssAfter = await rssBytes();
    const slowest = Math.max(...closes.map((c) => c.ms));
    recordOutcome({
      id: 'issue-10-slowloris-200',
      fault:
        '200 slow sockets at once (silent, dripping headers and upgrades, trickling bodies, idle keep-alives)',
      expected: 'a normal client is served meanwhile; every slow socket is closed after its timeout',
      measured: `normal client served; all 200 closed within ${allClosedMs} ms (slowest ${slowest} ms)`,
      numbers: {
        socketsHeld: slow.length,
        slowestCloseMs: slowest,
        allClosedMs,
        rssBeforeBytes: rssBefore,
        rssPeakBytes: rssPeak,
        rssAfterBytes: rssAfter,
      },
    });
  });
});
