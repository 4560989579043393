/**
 * Failure logging for every gateway: an unexpected error (a bug, not a catalogue refusal) is logged once with
 * the connection it happened on and what the connection was doing, never with the request's data, which may
 * hold message text or credentials.
 */
import type { Logger } from 'pino';

/** Logs one unexpected failure; `during` names the operation or event (clipped: it may come from a client). */
export type FailureLog = (err: unknown, during: unknown) => void;

export interface FailureScope {
  dialect: string;
  /** Left out where the connection has none yet. */
  connection?: string;
  transport?: string;
}

function describe(err: unknown): { name: string; message: string; stack?: string } | string {
  return err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err);
}

function label(during: unknown): string {
  return typeof during === 'string' ? during.slice(0, 64) : typeof during;
}

export function failureLog(logger: Logger, scope: FailureScope, message: string): FailureLog {
  return (err, during) => logger.error({ err: describe(err), during: label(during), ...scope }, message);
}
