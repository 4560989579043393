/**
 * Why a server ends a connection, and the WebSocket close code that says so. socket.io framings receive the same
 * reason, code and message in a `disconnect_reason` event just before the disconnect.
 */

/** Every disconnect reason with its close code and default message, as docs/protocol.md promises them. */
export const DISCONNECT_REASONS = {
  shutdown: { code: 1001, message: 'The server is shutting down' },
  protocol_error: { code: 1002, message: 'Protocol error' },
  message_too_big: { code: 1009, message: 'Frame larger than the limit' },
  credentials_expired: { code: 4001, message: 'The credentials have expired' },
  auth_timeout: { code: 4002, message: 'No authentication in time' },
  unauthorized: { code: 4003, message: 'Authentication failed' },
  kicked: { code: 4004, message: 'Kicked by a moderator' },
  banned: { code: 4005, message: 'Banned' },
  slow_consumer: { code: 4008, message: 'The client did not read fast enough' },
  invalid_frames: { code: 1008, message: 'Too many invalid frames' },
  app_deleted: { code: 4010, message: 'The app no longer exists' },
  revoked: { code: 4011, message: 'Access was revoked' },
  logout: { code: 1000, message: 'Logged out' },
} as const satisfies Record<string, { code: number; message: string }>;

export type DisconnectReason = keyof typeof DISCONNECT_REASONS;

/** socket.io: sent just before the server disconnects a socket (WebSocket framing: the close code and reason). */
export interface DisconnectReasonData {
  reason: DisconnectReason;
  code: number;
  message: string;
}
