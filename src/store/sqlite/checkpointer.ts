/**
 * WAL checkpoints off the event loop. By default SQLite checkpoints inside the commit that grows the WAL past
 * 1,000 pages: that commit copies the pages into the database file and fsyncs it, and with better-sqlite3 it
 * does so on the event loop, stalling every connection for as long as the disk takes. Here a worker thread with
 * its own connection to the same file runs a PASSIVE checkpoint (it never waits for, nor blocks, the writer)
 * every `intervalMs`; the writer's own automatic checkpoint stays, at a much larger threshold, as a backstop
 * should the worker fall behind or die.
 *
 * When a PASSIVE checkpoint has copied the whole WAL, the worker also tries a TRUNCATE checkpoint without
 * waiting (busy_timeout 0), which empties the -wal file: a WAL that a long reader (a backup) made grow is given
 * back to the filesystem as soon as the reader ends, instead of staying at its peak size for ever. A reader
 * holding an old snapshot makes the checkpoint stop short; such a tick is reported as busy.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { WalStats } from '../../engine/ports/store.js';

export interface Checkpointer {
  stats(): WalStats;
  stop(): Promise<void>;
}

// A script, not a module file: it runs the same from the TypeScript sources (tests) as from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
function walBytes() {
  try {
    return statSync(workerData.path + '-wal').size;
  } catch {
    return 0;
  }
}
function checkpoint() {
  const passive = db.pragma('wal_checkpoint(PASSIVE)')[0];
  if (passive.log > passive.checkpointed) return true;
  if (passive.log <= 0) return false;
  db.pragma('busy_timeout = 0');
  try {
    return db.pragma('wal_checkpoint(TRUNCATE)')[0].busy === 1;
  } finally {
    db.pragma('busy_timeout = 5000');
  }
}
const timer = setInterval(() => {
  let busy = false;
  let error = null;
  try {
    busy = checkpoint();
  } catch (err) {
    error = String(err && err.message ? err.message : err);
  }
  parentPort.postMessage({ walBytes: walBytes(), busy, error });
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** The writer checkpoints by itself only once the WAL is this many pages (4 KB each) long. */
export const BACKSTOP_PAGES = 10_000;

interface Tick {
  walBytes: number;
  busy: boolean;
  error: string | null;
}

function asTick(message: unknown): Tick | null {
  if (typeof message !== 'object' || message === null) return null;
  const walBytes: unknown = Reflect.get(message, 'walBytes');
  const busy: unknown = Reflect.get(message, 'busy');
  const error: unknown = Reflect.get(message, 'error');
  if (typeof walBytes !== 'number' || typeof busy !== 'boolean') return null;
  return { walBytes, busy, error: typeof error === 'string' ? error : null };
}

export function startCheckpointer(opts: {
  path: string;
  intervalMs: number;
  onError(message: string): void;
}): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver, path: opts.path, intervalMs: opts.intervalMs },
  });
  worker.unref();
  const stats: WalStats = { walBytes: 0, checkpoints: 0, busyCheckpoints: 0, failedCheckpoints: 0 };
  // A failure that lasts (a full disk) would otherwise be logged once a second.
  let lastError: string | null = null;
  worker.on('message', (message: unknown) => {
    const tick = asTick(message);
    if (!tick) return;
    stats.walBytes = tick.walBytes;
    stats.checkpoints += 1;
    if (tick.busy) stats.busyCheckpoints += 1;
    if (tick.error !== null) {
      stats.failedCheckpoints += 1;
      if (tick.error !== lastError) opts.onError(tick.error);
    }
    lastError = tick.error;
  });
  worker.on('error', (err) => opts.onError(err.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    stats: () => ({ ...stats }),
    async stop() {
      worker.postMessage('stop');
      await exited;
    },
  };
}
