import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, spawnServer, type SpawnedServer } from '../helpers/server.js';
import { withTimeout } from '../helpers/wait.js';
import { recordOutcome, rssBytes } from './report.js';

/** The shutdown cap the servers here run with (--shutdown-timeout-ms). */
const SHUTDOWN_CAP_MS = 2000;
/** How long the test waits for the exit: well past the cap, far short of a hang. */
const EXIT_WAIT_MS = SHUTDOWN_CAP_MS + 8000;
/** Each request logs its URL twice at debug level: 400 of them write some 3 MB, far more than a pipe holds. */
const FILL_REQUESTS = 400;
const PAD = 'x'.repeat(4000);

const dirs: string[] = [];
const servers: SpawnedServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.kill('SIGKILL');
    await server.exited;
  }
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function start(): Promise<SpawnedServer> {
  const dir = await makeTempDir('parley-stdout-');
  dirs.push(dir);
  const server = await spawnServer({
    dataDir: dir,
    env: { PARLEY_LOG_LEVEL: 'debug', PARLEY_ADMIN_KEY: 'stalled-stdout-admin-key-0123' },
    args: ['--shutdown-timeout-ms', String(SHUTDOWN_CAP_MS)],
  });
  servers.push(server);
  return server;
}

/** Requests whose log lines fill the pipe; a server blocked on its log stops answering, so each may time out. */
async function fillLogs(url: string): Promise<number> {
  let answered = 0;
  const one = async () => {
    try {
      const res = await fetch(`${url}/healthz?pad=${PAD}`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      answered += 1;
    } catch {
      // A server stuck writing its log answers nothing: the shutdown below is what the case is about.
    }
  };
  for (let i = 0; i < FILL_REQUESTS; i += 20) await Promise.all(Array.from({ length: 20 }, one));
  return answered;
}

async function stopAndTime(server: SpawnedServer) {
  const pid = server.child.pid as number;
  const rss = await rssBytes(pid);
  const sent = Date.now();
  server.kill('SIGTERM');
  const exit = await withTimeout(server.exited, EXIT_WAIT_MS, 'exit after SIGTERM');
  return { exit, exitMs: Date.now() - sent, rss };
}

describe('issue 10 case 4: shutdown ends in time whatever standard output does', () => {
  it('a log reader that stops reading neither blocks the server nor holds its shutdown', async () => {
    const server = await start();
    // The reader stops reading: the pipe fills with the log and stays full.
    server.child.stdout?.removeAllListeners('data');
    server.child.stdout?.pause();
    const answered = await fillLogs(server.url);
    expect(answered).toBe(FILL_REQUESTS);
    const health = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) });
    expect(health.status).toBe(200);

    const { exit, exitMs, rss } = await stopAndTime(server);
    expect(exit.code).toBe(0);
    recordOutcome({
      id: 'issue-10-case-4-stalled',
      fault: 'standard output is a pipe nobody reads; the log fills it; then SIGTERM',
      expected: `requests still answered; the process exits before its ${SHUTDOWN_CAP_MS} ms shutdown cap`,
      measured: `${answered}/${FILL_REQUESTS} requests answered; exited with code ${exit.code} in ${exitMs} ms`,
      numbers: { exitMs, shutdownCapMs: SHUTDOWN_CAP_MS, rssBeforeStopBytes: rss },
    });
  });

  it('a log reader that has gone (EPIPE) neither ends the server nor holds its shutdown', async () => {
    const server = await start();
    server.child.stdout?.destroy();
    const answered = await fillLogs(server.url);
    expect(answered).toBe(FILL_REQUESTS);

    const { exit, exitMs, rss } = await stopAndTime(server);
    expect(exit.code).toBe(0);
    recordOutcome({
      id: 'issue-10-case-4-epipe',
      fault: 'the reader of standard output closes its end (EPIPE on every log write); then SIGTERM',
      expected: `requests still answered; the process exits before its ${SHUTDOWN_CAP_MS} ms shutdown cap`,
      measured: `${answered}/${FILL_REQUESTS} requests answered; exited with code ${exit.code} in ${exitMs} ms`,
      numbers: { exitMs, shutdownCapMs: SHUTDOWN_CAP_MS, rssBeforeStopBytes: rss },
    });
  });
});
