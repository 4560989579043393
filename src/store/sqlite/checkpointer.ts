/**
 * WAL checkpoints off the event loop. By default SQLite checkpoints inside the commit that grows the WAL past
 * 1,000 pages: that commit copies the pages into the database file and fsyncs it, and with better-sqlite3 it
 * does so on the event loop, stalling every connection for as long as the disk takes. Here a worker thread with
 * its own connection to the same file runs a PASSIVE checkpoint (it never waits for, nor blocks, the writer)
 * every `intervalMs`; the writer's own automatic checkpoint stays, at a much larger threshold, as a backstop
 * should the worker fall behind or die.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface Checkpointer {
  stop(): Promise<void>;
}

// A script, not a module file: it runs the same from the TypeScript sources (tests) as from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message ? err.message : err) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** The writer checkpoints by itself only once the WAL is this many pages (4 KB each) long. */
export const BACKSTOP_PAGES = 10_000;

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
  worker.on('message', (message: unknown) => {
    const error = typeof message === 'object' && message !== null ? Reflect.get(message, 'error') : null;
    if (typeof error === 'string') opts.onError(error);
  });
  worker.on('error', (err) => opts.onError(err.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      worker.postMessage('stop');
      await exited;
    },
  };
}
