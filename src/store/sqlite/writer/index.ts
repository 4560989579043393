/**
 * The message writer: message appends run in a worker thread (worker.ts) with its own connection, so that the
 * event loop never waits on a commit's fsync or on SQLite's write lock for a send. Group commit: while a batch
 * is being committed, the appends that arrive wait here and go together as the next batch (at most MAX_BATCH),
 * one transaction for all of them. Appends reach the worker in the order they were made and it runs them in that
 * order, so each room's messages keep the order of the calls and their seqs stay gapless.
 *
 * If the worker dies (a crash, out of memory, a test's hook), the appends of the batch it was running fail with
 * `unavailable` (they were not acknowledged: the batch committed or not, and a retry with the same clientMsgId
 * finds the original if it did), as do those still waiting; new appends are refused with `unavailable` until a
 * new worker has opened the database, tried again with a backoff. close() lets the queue drain first.
 *
 * The worker's answers come on a port of their own, and each append (and each pump) takes the ones already there
 * at once, without waiting for the event loop to reach the port: an answer is an event of the loop, handled only
 * after the loop's current turn, and a busy server's turn can be long (a backlog of sends read from hundreds of
 * sockets). Waiting for the turn to end would commit one batch per turn, and under load the acks would fall
 * further behind with each turn; taken as the appends arrive, the next batch goes out as soon as the last one
 * committed.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { ParleyError } from '../../../core/errors.js';
import { writerOverloaded, writerRestarting } from '../../../core/failures.js';
import type { AppendResult, NewMessage } from '../../../engine/ports/store.js';
import { asFromWorker, fromWire, type Outcome, type ToWorker, type WriterData } from './protocol.js';
import { MAX_BATCH } from './batch.js';

export { MAX_BATCH };

/** Appends waiting or in the running batch at most; more fail at once with `unavailable` (writerOverloaded). */
export const MAX_PENDING = 10_000;
/** The wait before starting a worker again after one died, doubling on each failure up to the maximum. */
const RESTART_MIN_MS = 100;
const RESTART_MAX_MS = 5_000;

interface Pending {
  id: number;
  input: NewMessage;
  resolve(result: AppendResult): void;
  reject(err: Error): void;
}

/**
 * The worker's code: from dist/ the compiled worker.js; from the TypeScript sources (tests, the bench) the .ts
 * file, loaded through a small bootstrap that registers the TypeScript loader in the worker first (a worker's
 * entry module is resolved before any `--import` of its own would apply).
 */
function spawn(data: WriterData): Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSources ? './worker.ts' : './worker.js', import.meta.url);
  const transferList = [data.replies];
  // None of the parent's flags: a worker inherits them, and an `--import` of a TypeScript file (a preload of
  // the parent's) would be loaded before any loader is registered in the worker, and fail it.
  if (!fromSources) return new Worker(entry, { workerData: data, transferList, execArgv: [] });
  // The ESM entry of the loader's API (a CommonJS require would pick its CommonJS build, which fails here).
  const loader = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(loader)})
    .then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: data, transferList, execArgv: [] });
}

export interface WriterOptions extends Omit<WriterData, 'replies'> {
  /** A worker died or failed to start (logged by the caller); the writer restarts it by itself. */
  onError?: (err: Error) => void;
}

export class MessageWriter {
  private worker: Worker | null = null;
  /** Where the running worker's answers arrive (see collect). */
  private replies: MessagePort | null = null;
  private ready = false;
  /** After a worker died and until a new one is ready: appends are refused rather than queued. */
  private refusing = false;
  private closing = false;
  private readonly queue: Pending[] = [];
  private running: Map<number, Pending> | null = null;
  private nextId = 1;
  private restartMs = RESTART_MIN_MS;
  private restartTimer: NodeJS.Timeout | null = null;
  private drained: (() => void) | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly opts: WriterOptions) {
    this.start();
  }

  append(input: NewMessage): Promise<AppendResult> {
    if (this.closing) return Promise.reject(new ParleyError('unavailable', 'the database is closed'));
    if (this.refusing) return Promise.reject(writerRestarting());
    this.collect();
    if (this.queue.length + (this.running?.size ?? 0) >= MAX_PENDING)
      return Promise.reject(writerOverloaded());
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, input, resolve, reject });
      this.pump();
    });
  }

  /** Answers every queued append (committing them), then ends the worker. */
  async close(): Promise<void> {
    if (this.closing) return this.exited;
    this.closing = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.worker && !this.refusing && (this.queue.length > 0 || this.running)) {
      await new Promise<void>((resolve) => (this.drained = resolve));
    }
    // No worker able to take them (it died and was not back yet): they were never started.
    this.failAll(new ParleyError('unavailable', 'the database is closed'));
    const worker = this.worker;
    if (worker && this.ready) this.post(worker, { kind: 'stop' });
    else await worker?.terminate();
    await this.exited;
  }

  /** For tests: ends the worker as a crash would, while its batch runs. */
  async killWorkerForTest(): Promise<void> {
    // A crash leaves no answer: one the worker might post before the termination lands is not listened to.
    this.replies?.close();
    this.replies = null;
    await this.worker?.terminate();
  }

  private start(): void {
    const { port1, port2 } = new MessageChannel();
    const worker = spawn({ path: this.opts.path, synchronous: this.opts.synchronous, replies: port2 });
    this.worker = worker;
    this.replies = port1;
    port1.on('message', (value: unknown) => this.onMessage(value));
    // An idle writer must not keep the process alive by itself (pump holds it while appends are pending).
    this.hold(worker, false);
    worker.on('error', (err) => this.opts.onError?.(err));
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.once('exit', () => this.onExit(worker));
  }

  private post(worker: Worker, message: ToWorker): void {
    worker.postMessage(message);
  }

  /** Handles the answers already on the port now, rather than when the event loop gets to them. */
  private collect(): void {
    for (;;) {
      const port = this.replies;
      const received = port ? receiveMessageOnPort(port) : undefined;
      if (!received) return;
      this.onMessage(received.message);
    }
  }

  private onMessage(value: unknown): void {
    const message = asFromWorker(value);
    if (!message) return;
    if (message.kind === 'ready') {
      this.ready = true;
      this.refusing = false;
      this.restartMs = RESTART_MIN_MS;
      this.pump();
      return;
    }
    const running = this.running;
    this.running = null;
    for (const outcome of message.outcomes) this.settle(running?.get(outcome.id), outcome);
    this.pump();
  }

  private settle(pending: Pending | undefined, outcome: Outcome): void {
    if (!pending) return;
    if (outcome.ok) pending.resolve(outcome.result);
    else pending.reject(fromWire(outcome.error));
  }

  /** Sends the next batch when the worker is ready and idle: what queued up during the last commit. */
  private pump(): void {
    const worker = this.worker;
    if (!worker) return;
    // Appends waiting for a worker still opening the database hold the process too.
    if (!this.ready) {
      if (this.queue.length > 0) this.hold(worker, true);
      return;
    }
    if (this.running) return;
    if (this.queue.length === 0) {
      this.hold(worker, false);
      this.drained?.();
      this.drained = null;
      return;
    }
    const batch = this.queue.splice(0, MAX_BATCH);
    try {
      this.post(worker, { kind: 'batch', items: batch.map(({ id, input }) => ({ id, input })) });
    } catch (err) {
      // An input that cannot be copied to the thread (a bug of the caller): the batch fails, the writer goes on.
      const error = err instanceof Error ? err : new Error(String(err));
      this.opts.onError?.(error);
      for (const pending of batch) pending.reject(error);
      queueMicrotask(() => this.pump());
      return;
    }
    this.running = new Map(batch.map((p) => [p.id, p]));
    this.hold(worker, true);
  }

  /** Whether the worker and its answers keep the process alive: only while appends are pending. */
  private hold(worker: Worker, pending: boolean): void {
    if (pending) {
      worker.ref();
      this.replies?.ref();
    } else {
      worker.unref();
      this.replies?.unref();
    }
  }

  private failAll(err: Error): void {
    const running = this.running ? [...this.running.values()] : [];
    this.running = null;
    for (const pending of [...running, ...this.queue.splice(0)]) pending.reject(err);
  }

  private onExit(worker: Worker): void {
    if (worker !== this.worker) return;
    // Answers posted before the end are true (their batch committed); they may still wait on the port.
    this.collect();
    this.worker = null;
    this.replies?.close();
    this.replies = null;
    this.ready = false;
    if (this.closing) {
      this.failAll(new ParleyError('unavailable', 'the database is closed'));
      this.drained?.();
      this.drained = null;
      return;
    }
    this.refusing = true;
    this.failAll(writerRestarting());
    this.opts.onError?.(new Error('the message writer stopped; restarting it'));
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.closing) this.start();
    }, this.restartMs);
    this.restartTimer.unref();
    this.restartMs = Math.min(this.restartMs * 2, RESTART_MAX_MS);
  }
}
