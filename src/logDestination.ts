/**
 * Where log lines go: a file descriptor written asynchronously, through a bounded buffer. Logging must never
 * block the process: a log reader that stops reading (a stalled pipe) or goes away (EPIPE) costs at most
 * `maxBufferedBytes` of memory; lines over that are dropped and counted, and a line saying how many is
 * written once the reader catches up. Nothing here flushes synchronously, on exit or otherwise, so a stalled
 * reader cannot hold a stopping process.
 */
import { write } from 'node:fs';
import type { DestinationStream } from 'pino';
import pretty from 'pino-pretty';

/** What the log buffer holds at most while the reader does not keep up (bytes). */
export const LOG_BUFFER_BYTES = 4 * 1024 * 1024;

/** How long to wait before writing again when the descriptor is full (EAGAIN). */
const RETRY_MS = 100;

export interface LogDestination extends DestinationStream {
  /** Lines dropped so far: the buffer was full, or the reader is gone. */
  readonly dropped: number;
  /** Bytes accepted and not yet written. */
  readonly pendingBytes: number;
  /** Resolves once everything accepted is written, or after `timeoutMs`, whichever is first; never rejects. */
  drain(timeoutMs: number): Promise<void>;
}

/** The line that reports dropped lines, in pino's JSON shape (level 40 = warn). */
function droppedLine(count: number): string {
  return `${JSON.stringify({ level: 40, time: Date.now(), pid: process.pid, msg: 'log lines dropped', dropped: count })}\n`;
}

export function createLogDestination(fd: number, opts: { maxBufferedBytes?: number } = {}): LogDestination {
  const maxBytes = opts.maxBufferedBytes ?? LOG_BUFFER_BYTES;
  let queued: string[] = [];
  let queuedBytes = 0;
  /** The bytes handed to the descriptor and not yet confirmed written. */
  let inFlight: Buffer | null = null;
  let dropped = 0;
  let reported = 0;
  /** The reader is gone (EPIPE or another write error): everything from now on is dropped. */
  let broken = false;
  let drainWaiters: (() => void)[] = [];

  const pendingBytes = () => queuedBytes + (inFlight?.length ?? 0);

  const settleDrain = () => {
    if (pendingBytes() > 0) return;
    const waiters = drainWaiters;
    drainWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const giveUp = () => {
    broken = true;
    dropped += queued.length;
    queued = [];
    queuedBytes = 0;
    inFlight = null;
    settleDrain();
  };

  const send = (chunk: Buffer) => {
    inFlight = chunk;
    write(fd, chunk, 0, chunk.length, null, (err, written) => {
      if (err) {
        if (err.code === 'EAGAIN' || err.code === 'EWOULDBLOCK') {
          // The reader is behind: try again later, without blocking and without keeping the process alive.
          setTimeout(() => send(chunk), RETRY_MS).unref();
          return;
        }
        giveUp();
        return;
      }
      if (written < chunk.length) {
        send(chunk.subarray(written));
        return;
      }
      inFlight = null;
      next();
    });
  };

  const next = () => {
    if (broken || inFlight) return;
    if (dropped > reported && queuedBytes < maxBytes / 2) {
      queued.push(droppedLine(dropped - reported));
      reported = dropped;
    }
    if (queued.length === 0) {
      settleDrain();
      return;
    }
    const chunk = Buffer.from(queued.join(''), 'utf8');
    queued = [];
    queuedBytes = 0;
    send(chunk);
  };

  return {
    write(line: string) {
      const bytes = Buffer.byteLength(line, 'utf8');
      if (broken || pendingBytes() + bytes > maxBytes) {
        dropped += 1;
        return;
      }
      queued.push(line);
      queuedBytes += bytes;
      next();
    },
    get dropped() {
      return dropped;
    },
    get pendingBytes() {
      return pendingBytes();
    },
    drain(timeoutMs) {
      if (pendingBytes() === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        timer.unref();
        drainWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/**
 * Standard output as a log destination. Node's own handle for standard output is created first: it puts a
 * pipe's descriptor in non-blocking mode, so a full pipe answers EAGAIN instead of holding a write (and with
 * it the process's exit) until the reader reads.
 */
export function stdoutLogDestination(opts: { maxBufferedBytes?: number } = {}): LogDestination {
  const fd = typeof process.stdout.fd === 'number' ? process.stdout.fd : 1;
  return createLogDestination(fd, opts);
}

/**
 * For a person at a terminal: the same lines made readable (time, level, message, fields) by pino-pretty,
 * written as they come. A terminal reads what it is given, so nothing is buffered or dropped here.
 */
export function terminalLogDestination(): LogDestination {
  const stream = pretty({
    colorize: true,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  });
  return {
    write: (line: string) => stream.write(line),
    dropped: 0,
    pendingBytes: 0,
    drain: () => Promise.resolve(),
  };
}
