/**
 * Which closes and which server errors end the client for good, and which are worth another attempt: the
 * decisions the reconnect logic makes, in one place.
 */
import { DISCONNECT_REASONS } from '../protocol/native.js';
import type { ErrorBody, ErrorCode } from '../protocol/native.js';
import type { ParleyClientError } from './errors.js';
import type { CloseInfo } from './transport.js';

/**
 * Close codes after which the client does not reconnect on its own: logged out (1000), protocol error (1002),
 * credentials expired (4001), auth timeout (4002), refused (4003), kicked (4004), banned (4005), app gone (4010),
 * access revoked (4011),
 * too many invalid frames (1008: a client that sends them would send them again).
 */
export const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  DISCONNECT_REASONS.logout.code,
  DISCONNECT_REASONS.protocol_error.code,
  DISCONNECT_REASONS.credentials_expired.code,
  DISCONNECT_REASONS.auth_timeout.code,
  DISCONNECT_REASONS.unauthorized.code,
  DISCONNECT_REASONS.kicked.code,
  DISCONNECT_REASONS.banned.code,
  DISCONNECT_REASONS.app_deleted.code,
  DISCONNECT_REASONS.revoked.code,
  DISCONNECT_REASONS.invalid_frames.code,
]);

/** Server errors worth another attempt; any other error from auth or admission ends the client. */
export const RETRYABLE_SERVER_ERRORS: ReadonlySet<string> = new Set<ErrorCode>([
  'internal',
  'unavailable',
  'rate_limited',
  'connection_limit',
]);

/** Refusals that say how long to wait (`details.retryAfterMs`): the next attempt waits at least that. */
const HINTED_ERRORS: ReadonlySet<string> = new Set<ErrorCode>(['rate_limited', 'connection_limit']);

/** The server's hint of how long to wait before trying again, when the error carries one. */
export function retryHintMs(error: ParleyClientError): number | null {
  if (!error.fromServer || !HINTED_ERRORS.has(error.code)) return null;
  const hint = error.details?.retryAfterMs;
  return typeof hint === 'number' && Number.isFinite(hint) && hint > 0 ? hint : null;
}

/** Rooms that failed to re-join for one of these are dropped (and reported); other failures retry the reconnect. */
export const ROOM_GONE_ERRORS: ReadonlySet<string> = new Set<ErrorCode>([
  'not_found',
  'forbidden',
  'banned',
  'bad_request',
]);

export function errorBody(error: ParleyClientError): ErrorBody {
  return {
    code: error.code as ErrorCode,
    status: error.status ?? 500,
    message: error.message,
    ...(error.details ? { details: error.details } : {}),
  };
}

/** A refused authentication as a close: the catalogue code for it when there is one (4003 otherwise). */
export function closeInfoForError(error: ParleyClientError): CloseInfo {
  const entry = (DISCONNECT_REASONS as Record<string, { code: number; message: string } | undefined>)[
    error.code
  ];
  return {
    code: entry?.code ?? DISCONNECT_REASONS.unauthorized.code,
    reason: error.code,
    message: error.message,
    error: errorBody(error),
  };
}
