import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { waitFor } from './wait.js';

/** A free TCP port on 127.0.0.1, found by binding port 0 and letting it go. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface OwnRedis {
  url: string;
  port: number;
  /** Stops the server (SIGKILL: an outage, not a shutdown). */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty: it keeps nothing). */
  start(): Promise<void>;
  /** Sends a signal to the running server: SIGSTOP makes a Redis that hangs, SIGCONT ends that. */
  signal(signal: NodeJS.Signals): void;
}

/**
 * A redis-server of the test's own on a free port, so that fault tests make their outages without touching
 * the machine's shared Redis.
 */
export async function startOwnRedis(): Promise<OwnRedis> {
  // The free port may be taken again before redis-server binds it (tests run in parallel): then try another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOwnRedisOn(await freePort());
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

async function startOwnRedisOn(port: number): Promise<OwnRedis> {
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const start = async () => {
    const spawned = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    child = spawned;
    // A redis-server that could not bind the port exits at once (a ping would reach whoever holds the port).
    const exitedEarly = new Promise<never>((_resolve, reject) =>
      spawned.once('exit', (code, signal) =>
        reject(new Error(`redis-server on port ${port} exited (${code ?? signal})`)),
      ),
    );
    exitedEarly.catch(() => {}); // once it is up, a later exit (stop) is not a failure
    const up = waitFor(
      async () => {
        const probe = new Redis(url, {
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        probe.on('error', () => {}); // refused while it starts: the poll tries again
        try {
          await probe.connect();
          return (await probe.ping()) === 'PONG';
        } catch {
          return false;
        } finally {
          probe.disconnect();
        }
      },
      { timeoutMs: 10_000, label: 'redis-server to start' },
    );
    up.catch(() => {}); // if the exit wins the race, the poll's own timeout later is nobody's concern
    await Promise.race([up, exitedEarly]);
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  process.once('exit', () => child?.kill('SIGKILL'));
  const signal = (sig: NodeJS.Signals) => {
    const running: ChildProcess | null = child;
    if (running && running.exitCode === null) running.kill(sig);
  };
  return { url, port, stop, start, signal };
}

/** The Redis the bus tests use (the machine's own, or PARLEY_TEST_REDIS_URL). */
export const TEST_REDIS_URL = process.env.PARLEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Whether TEST_REDIS_URL answers. Under CI a missing Redis is a failure, not a reason to skip: the suite
 * throws at load.
 */
export async function requireTestRedis(): Promise<boolean> {
  const probe = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => {});
  let up = false;
  try {
    await probe.connect();
    await probe.ping();
    up = true;
  } catch {
    up = false;
  } finally {
    probe.disconnect();
  }
  if (!up && process.env.CI) throw new Error(`Redis is not reachable at ${TEST_REDIS_URL}`);
  return up;
}
