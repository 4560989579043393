import pg from 'pg';
import { ParleyError } from '../../core/errors.js';

/**
 * SQLSTATE classes (first two characters) that mean "the database cannot be used right now": connection
 * exceptions (08), transaction rollbacks such as deadlocks and serialization failures (40), insufficient
 * resources such as too many connections (53), operator intervention such as a statement timeout, an admin
 * shutdown or a server still starting (57), system errors (58) and failed authentication (28).
 */
const UNAVAILABLE_CLASSES = new Set(['08', '28', '40', '53', '57', '58']);
/** Single SQLSTATEs outside those classes: no such database, lock timeout, idle-in-transaction timeout. */
const UNAVAILABLE_STATES = new Set(['3D000', '55P03', '25P03']);

/** Node socket errors met while connecting to, or talking with, the server. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ENOENT', // a Unix socket path that does not exist: the server is not running
]);

/**
 * The driver and the pool report lost connections, timeouts and a pool that was ended with plain Errors; their
 * messages are the only thing that tells them apart from bugs.
 */
const DRIVER_MESSAGES = [
  /^Connection terminated/, // "... unexpectedly", "... due to connection timeout"
  /^timeout exceeded when trying to connect$/,
  /^timeout expired$/,
  /^Query read timeout$/,
  /^Cannot use a pool after calling end on the pool$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
  /^The server does not support SSL connections$/,
  /^There was an error establishing an SSL connection$/,
];

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

function withCause(error: ParleyError, cause: unknown): ParleyError {
  // Keeps the driver's error for logs; ParleyError's message and details are what reach clients.
  error.cause = cause;
  return error;
}

function codeOf(err: object): unknown {
  return 'code' in err ? err.code : undefined;
}

/**
 * True for an error that says the server cannot be used right now (the connection, or the way to it, failed, or
 * the server refused the work for a passing reason), rather than that the statement is wrong.
 */
export function isConnectionFailure(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 4) return false;
  if (err instanceof pg.DatabaseError) {
    const state = err.code ?? '';
    return UNAVAILABLE_CLASSES.has(state.slice(0, 2)) || UNAVAILABLE_STATES.has(state);
  }
  const code = codeOf(err);
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (DRIVER_MESSAGES.some((pattern) => pattern.test(err.message))) return true;
  // Node reports a failed connection to every address of a name (happy eyeballs) as an AggregateError.
  if (err instanceof AggregateError && err.errors.some((e) => isConnectionFailure(e, depth + 1))) return true;
  return isConnectionFailure(err.cause, depth + 1);
}

/**
 * Translates driver errors into the catalogue the port promises: a taken name is `conflict`, a reference to a
 * row that does not exist is `not_found`, and a database that cannot be reached (refused, lost, timed out,
 * shut down, the pool ended) is `unavailable`. Anything else is a bug and is returned unchanged so that its
 * stack survives.
 */
export function mapPgError(err: unknown, conflictMessage?: string): unknown {
  if (err instanceof ParleyError) return err;
  if (err instanceof pg.DatabaseError) {
    if (err.code === UNIQUE_VIOLATION) return withCause(new ParleyError('conflict', conflictMessage), err);
    if (err.code === FOREIGN_KEY_VIOLATION) {
      return withCause(new ParleyError('not_found', 'a referenced app, user or room does not exist'), err);
    }
  }
  if (isConnectionFailure(err)) {
    return withCause(new ParleyError('unavailable', 'the database is unavailable'), err);
  }
  return err;
}

/**
 * Whether a connection that reported `err` is still fit to go back to the pool: only when the server itself
 * answered with an error (the protocol is in step). Lost connections, client-side timeouts and anything unknown
 * get the connection thrown away.
 */
export function keepsConnection(err: unknown): boolean {
  if (!(err instanceof pg.DatabaseError)) return false;
  const state = err.code ?? '';
  return !['08', '57', '58'].includes(state.slice(0, 2));
}
