/**
 * Hundreds of slow consumers at once: clients that join the busy lobby and stop reading. Each is cut as a
 * slow consumer (4008) while the readers that keep up receive every message; then, with a fresh crowd of
 * stalled readers holding data, a graceful shutdown (SIGTERM) completes before its 30 s deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { startChildServer, type ChildServer } from './childServer.js';
import { CrowdClient } from './nativeWs.js';
import { chaosRun, mb, recordOutcome } from './report.js';

const SLOW = chaosRun() ? 500 : 200;
const LIVELY = 5;
const TEXT = 'y'.repeat(8000);
const OUTBOUND_BYTES = 256 * 1024;
const MAX_MESSAGES = 3000;
const SHUTDOWN_DEADLINE_MS = 30_000;

let server: ChildServer;
const clients: CrowdClient[] = [];

async function crowd(count: number, prefix: string): Promise<CrowdClient[]> {
  const opened: CrowdClient[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, (_, j) =>
      CrowdClient.open(server.url, `${prefix}${i + j}`, 'lobby'),
    );
    opened.push(...(await Promise.all(batch)));
  }
  clients.push(...opened);
  return opened;
}

beforeAll(async () => {
  server = await startChildServer({ PARLEY_OUTBOUND_BUFFER_BYTES: String(OUTBOUND_BYTES) });
  await server.api('PATCH', '/api/v1/apps/1', {
    settings: { flood: { burst: 100_000, perSecond: 100_000 }, maxMessageLength: 10_000 },
  });
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.ws.terminate();
  await server?.dispose();
});

describe('slow readers', () => {
  it(
    `${SLOW} stalled readers are all cut as slow consumers; the lively ones get every message; then a graceful shutdown finishes in time`,
    { timeout: 240_000 },
    async () => {
      const lively = await crowd(LIVELY, 'lively');
      const slow = await crowd(SLOW, 'slow');
      for (const client of slow) client.tcp.pause();
      const writer = await CrowdClient.open(server.url, 'writer', 'lobby');
      const rssBefore = await server.rss();
      let rssPeak = rssBefore;
      const cutBefore = await server.metric('parley_slow_consumers_total');
      const started = Date.now();
      let sent = 0;
      while (sent < MAX_MESSAGES && (await server.metric('parley_slow_consumers_total')) - cutBefore < SLOW) {
        const batch = Array.from({ length: 20 }, () => writer.request('send', { room: 'lobby', text: TEXT }));
        for (const reply of await Promise.all(batch)) expect(reply.ok).toBe(true);
        sent += batch.length;
        rssPeak = Math.max(rssPeak, await server.rss());
      }
      const cut = (await server.metric('parley_slow_consumers_total')) - cutBefore;
      const msToCutAll = Date.now() - started;
      expect(cut).toBe(SLOW);
      // The lively readers (and the writer, which reads too) got every message.
      await waitFor(() => lively.every((c) => c.messages === sent) && writer.messages === sent, {
        timeoutMs: 30_000,
        label: 'every message at the lively readers',
      });
      // Once they read again, the stalled ones find the reason at the end of what was sent to them, unless
      // they stayed silent past the close-handshake grace: then the server has cut the socket (1006 here).
      for (const client of slow) client.tcp.resume();
      const codes = await Promise.all(slow.map((c) => c.closed));
      expect(codes.every((code) => code === 4008 || code === 1006)).toBe(true);
      const told = codes.filter((code) => code === 4008).length;

      // A new stalled crowd holding data, and a graceful stop while it is there.
      const stalled = await crowd(Math.floor(SLOW / 2), 'stalled');
      for (const client of stalled) client.tcp.pause();
      const more = Array.from({ length: 20 }, () => writer.request('send', { room: 'lobby', text: TEXT }));
      for (const reply of await Promise.all(more)) expect(reply.ok).toBe(true);
      const stopStarted = Date.now();
      server.spawned.kill('SIGTERM');
      const exit = await Promise.race([
        server.spawned.exited,
        new Promise<null>((resolve) => setTimeout(() => resolve(null), SHUTDOWN_DEADLINE_MS + 5_000)),
      ]);
      const msToStop = Date.now() - stopStarted;
      expect(exit).toEqual({ code: 0, signal: null });
      recordOutcome({
        id: 'slow-readers',
        fault: `${SLOW} clients stop reading the busy lobby (8 KB messages) beside ${LIVELY} lively readers; then SIGTERM with ${stalled.length} stalled readers`,
        expected:
          'all cut as slow consumers (4008, or the socket cut when the close frame is not read within the 2 s grace); lively readers get every message; shutdown exits 0 before its 30 s deadline',
        measured: `${cut} cut, ${told} read 4008 and ${SLOW - told} were cut after the grace; lively readers got ${sent} of ${sent}; shutdown exited ${exit?.code}`,
        numbers: {
          slowReaders: SLOW,
          messagesSent: sent,
          msToCutAll,
          told4008: told,
          rssBeforeMB: mb(rssBefore),
          rssPeakMB: mb(rssPeak),
          msToStop,
          messagesLost: 0,
        },
      });
    },
  );
});
