/**
 * Half-open peers: hundreds of clients whose machines went away without a word, played by sockets that stop
 * reading (so they never answer a ping) on both native framings. With a small heartbeat, the server drops
 * every one of them within the heartbeat window and gives back their descriptors; lively clients stay. A
 * peer that does not answer the close handshake is cut off after the server's 2 s grace (the ws library
 * alone would wait 30 s); the report shows it as msToFreeFds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { startChildServer, type ChildServer } from './childServer.js';
import { CrowdClient } from './nativeWs.js';
import { RawSocketIo } from './rawSocketIo.js';
import { chaosRun, recordOutcome } from './report.js';

const HEARTBEAT_MS = 1000;
const NATIVE = chaosRun() ? 600 : 300;
const SOCKET_IO = chaosRun() ? 200 : 100;
const LIVELY = 5;
const FD_MARGIN = 10;
/** How long the server waits for a peer's answer to its close frame before cutting the connection. */
const CLOSE_HANDSHAKE_MS = 2000;

let server: ChildServer;
const closers: (() => void)[] = [];
beforeAll(async () => {
  server = await startChildServer({ PARLEY_HEARTBEAT_MS: String(HEARTBEAT_MS) });
}, 60_000);
afterAll(async () => {
  for (const close of closers) close();
  await server?.dispose();
});

async function inBatches<T>(count: number, open: (i: number) => Promise<T>): Promise<T[]> {
  const all: T[] = [];
  for (let i = 0; i < count; i += 50) {
    all.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => open(i + j)))));
  }
  return all;
}

describe('half-open peers', () => {
  it(
    `${NATIVE} native and ${SOCKET_IO} socket.io peers that stop answering are dropped within the heartbeat window`,
    { timeout: 120_000 },
    async () => {
      const fdsBefore = await server.fds();
      const lively = await inBatches(LIVELY, (i) => CrowdClient.open(server.url, `lively${i}`, 'lobby'));
      closers.push(...lively.map((c) => () => c.ws.terminate()));
      const natives = await inBatches(NATIVE, (i) => CrowdClient.open(server.url, `deaf${i}`));
      const sockets = await inBatches(SOCKET_IO, async (i) => {
        const client = await RawSocketIo.open(server.url);
        await client.connect({ guest: `deafio${i}` });
        return client;
      });
      closers.push(...natives.map((c) => () => c.ws.terminate()), ...sockets.map((s) => () => s.close()));
      await waitFor(async () => (await server.metric('parley_connections')) === LIVELY + NATIVE + SOCKET_IO, {
        label: 'every connection counted',
      });
      const fdsPeak = await server.fds();

      const stopped = Date.now();
      for (const client of natives) client.tcp.pause();
      for (const client of sockets) client.tcp.pause();
      await waitFor(async () => (await server.metric('parley_connections')) === LIVELY, {
        timeoutMs: 20 * HEARTBEAT_MS,
        intervalMs: 50,
        label: 'the half-open peers dropped',
      });
      const msToDropAll = Date.now() - stopped;
      const fdsAtDrop = await server.fds();
      const fdsAfter = await waitFor(
        async () => {
          const fds = await server.fds();
          return fds - fdsBefore <= LIVELY + FD_MARGIN ? fds : null;
        },
        { timeoutMs: CLOSE_HANDSHAKE_MS + 10_000, intervalMs: 100, label: 'descriptors given back' },
      );
      const msToFreeFds = Date.now() - stopped;
      // The lively ones were kept and still work.
      const pings = await Promise.all(lively.map((c) => c.request('ping', undefined)));
      expect(pings.every((p) => p.ok)).toBe(true);
      expect(lively.every((c) => c.closeCode === null)).toBe(true);
      recordOutcome({
        id: 'half-open-peers',
        fault: `${NATIVE} native WebSocket and ${SOCKET_IO} socket.io peers stop reading and never answer pings (heartbeat ${HEARTBEAT_MS} ms)`,
        expected:
          'all dropped within the heartbeat window (two intervals); descriptors given back within the 2 s close-handshake grace after that; lively clients kept',
        measured: `all ${NATIVE + SOCKET_IO} dropped in ${msToDropAll} ms; descriptors back after ${msToFreeFds} ms; ${LIVELY} lively kept`,
        numbers: {
          peers: NATIVE + SOCKET_IO,
          heartbeatMs: HEARTBEAT_MS,
          msToDropAll,
          msToFreeFds,
          fdsBefore,
          fdsPeak,
          fdsAtDrop,
          fdsAfter,
        },
      });
    },
  );
});
