import type { ErrorBody, ErrorCode } from '../protocol/native.js';

/** Failures that come from the client itself rather than from a server reply. */
export type ClientErrorCode =
  /** No reply within the request timeout. */
  | 'timeout'
  /** The connection went away before the reply came (requests other than `send` are not retried). */
  | 'disconnected'
  /** The client was closed (by `close()`, or for good by the server). */
  | 'closed'
  /** The connection could not be opened. */
  | 'connect_failed';

/** Every error the client rejects with: a server catalogue error (`status` set) or a client-side one. */
export class ParleyClientError extends Error {
  readonly code: ErrorCode | ClientErrorCode;
  /** The catalogue status for server errors; undefined for client-side ones. */
  readonly status: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode | ClientErrorCode,
    message: string,
    opts: { status?: number; details?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'ParleyClientError';
    this.code = code;
    this.status = opts.status;
    this.details = opts.details;
  }

  /** True when the server answered with this error (as opposed to a timeout or a lost connection). */
  get fromServer(): boolean {
    return this.status !== undefined;
  }

  static fromBody(body: ErrorBody): ParleyClientError {
    const opts: { status: number; details?: Record<string, unknown> } = { status: body.status };
    if (body.details) opts.details = body.details;
    return new ParleyClientError(body.code, body.message, opts);
  }
}

/** A server error body, checked loosely (it crossed the network). */
export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.code === 'string' && typeof record.status === 'number' && typeof record.message === 'string'
  );
}

export function toClientError(value: unknown, fallback: ClientErrorCode = 'disconnected'): ParleyClientError {
  if (value instanceof ParleyClientError) return value;
  if (isErrorBody(value)) return ParleyClientError.fromBody(value);
  const message = value instanceof Error ? value.message : String(value);
  return new ParleyClientError(fallback, message);
}
