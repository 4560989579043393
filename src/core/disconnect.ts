/**
 * Why the server ends a connection. WebSocket framings close with `code`; socket.io framings send a
 * `disconnect_reason` event with the same `reason` before disconnecting. Documented in docs/protocol.md.
 */
export const DISCONNECT_CATALOGUE = {
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

export type DisconnectReason = keyof typeof DISCONNECT_CATALOGUE;

export interface Disconnect {
  reason: DisconnectReason;
  code: number;
  message: string;
}

export function disconnect(reason: DisconnectReason, message?: string): Disconnect {
  const entry = DISCONNECT_CATALOGUE[reason];
  return { reason, code: entry.code, message: message ?? entry.message };
}
