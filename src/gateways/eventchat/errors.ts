/**
 * Parley's errors in the dialect's one error shape, `cerror {Code, message}`, where `Code` is the HTTP status
 * of the catalogue entry (docs/errors.md).
 */
import type { Disconnect, DisconnectReason } from '../../core/disconnect.js';
import type { ParleyError } from '../../core/errors.js';
import type { CerrorFrame } from './protocol.js';

export function cerrorOf(error: ParleyError): CerrorFrame {
  return { Code: error.status, message: error.message };
}

/** The HTTP-style status a connection is closed with, by disconnect reason. */
const DISCONNECT_STATUS: Record<DisconnectReason, number> = {
  shutdown: 503,
  protocol_error: 400,
  message_too_big: 413,
  credentials_expired: 401,
  auth_timeout: 401,
  unauthorized: 401,
  kicked: 403,
  banned: 403,
  slow_consumer: 429,
  invalid_frames: 400,
  app_deleted: 404,
  revoked: 401,
  logout: 200,
};

/** The last `cerror` a client gets before the server disconnects it (bans have their own `ban` event). */
export function cerrorForDisconnect(reason: Disconnect, detail?: string): CerrorFrame {
  const message = detail ? `${reason.message}: ${detail}` : reason.message;
  return { Code: DISCONNECT_STATUS[reason.reason], message };
}
