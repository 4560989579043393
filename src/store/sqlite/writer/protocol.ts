import type { MessagePort } from 'node:worker_threads';
import { ERROR_CATALOGUE, ParleyError, type ErrorCode } from '../../../core/errors.js';
import type { AppendResult, NewMessage } from '../../../engine/ports/store.js';

// What the main thread and the message writer's worker say to each other. Everything here is plain data: it is
// copied across the thread (structured clone), which is why a message's webhook outbox is a spec and not a
// closure (core/messageOutbox.ts).

export interface WriterData {
  path: string;
  synchronous: 'NORMAL' | 'FULL';
  /** The worker's answers (FromWorker) go here, not to parentPort: the main thread reads this port at once. */
  replies: MessagePort;
}

/** Main → worker: one batch, committed in one transaction; or the order to finish. */
export type ToWorker = { kind: 'batch'; items: { id: number; input: NewMessage }[] } | { kind: 'stop' };

/** An error as it crosses the thread: a catalogue error keeps its code and details, anything else is a bug. */
export type WireError =
  | { kind: 'parley'; code: string; message: string; details?: Record<string, unknown> }
  | { kind: 'bug'; message: string; stack?: string };

export type Outcome =
  { id: number; ok: true; result: AppendResult } | { id: number; ok: false; error: WireError };

/** Worker → main: its connection is open; a batch's outcomes, sent only after its COMMIT (or rollback). */
export type FromWorker = { kind: 'ready' } | { kind: 'done'; outcomes: Outcome[] };

export function toWire(err: unknown): WireError {
  if (err instanceof ParleyError) {
    return {
      kind: 'parley',
      code: err.code,
      message: err.message,
      ...(err.details ? { details: err.details } : {}),
    };
  }
  if (err instanceof Error)
    return { kind: 'bug', message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
  return { kind: 'bug', message: String(err) };
}

function isCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CATALOGUE, code);
}

export function fromWire(wire: WireError): Error {
  if (wire.kind === 'parley' && isCode(wire.code))
    return new ParleyError(wire.code, wire.message, wire.details);
  const error = new Error(wire.message);
  // The worker's stack says where it went wrong; the one made here would only point at this function.
  if (wire.kind === 'bug' && wire.stack !== undefined) error.stack = wire.stack;
  return error;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * The worker is our own code, so its messages are trusted in shape; this only narrows the type without a cast,
 * and drops anything that is not one of ours.
 */
export function asFromWorker(value: unknown): FromWorker | null {
  if (!isObject(value)) return null;
  if (value.kind === 'ready') return { kind: 'ready' };
  if (value.kind === 'done' && Array.isArray(value.outcomes)) {
    const outcomes: unknown[] = value.outcomes;
    return { kind: 'done', outcomes: outcomes.filter(isOutcome) };
  }
  return null;
}

function isOutcome(value: unknown): value is Outcome {
  return isObject(value) && typeof value.id === 'number' && typeof value.ok === 'boolean';
}

export function asToWorker(value: unknown): ToWorker | null {
  if (!isObject(value)) return null;
  if (value.kind === 'stop') return { kind: 'stop' };
  if (value.kind === 'batch' && Array.isArray(value.items)) {
    const items: unknown[] = value.items;
    return { kind: 'batch', items: items.filter(isItem) };
  }
  return null;
}

function isItem(value: unknown): value is { id: number; input: NewMessage } {
  return isObject(value) && typeof value.id === 'number' && isObject(value.input);
}
