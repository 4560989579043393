/**
 * The error bodies the native protocol carries. Every failure a client can be told about has one of these codes;
 * docs/errors.md says what each means and what a client should do.
 */

/** Every error code a server may send, in the order docs/errors.md lists them. */
export const ERROR_CODES = [
  'bad_request',
  'unknown_operation',
  'unauthorized',
  'credentials_expired',
  'forbidden',
  'muted',
  'banned',
  'guests_disabled',
  'guest_read_only',
  'guest_limit',
  'accounts_disabled',
  'origin_not_allowed',
  'not_found',
  'not_joined',
  'conflict',
  'already_authenticated',
  'too_long',
  'frame_too_large',
  'rate_limited',
  'internal',
  'unavailable',
  'too_many_reactions',
  'dms_disabled',
  'blocked',
  'connection_limit',
  'invalid_profile',
  'slow_mode',
  'message_filtered',
  'verification_failed',
  'room_limit',
  'attachments_disabled',
  'attachment_too_large',
  'attachment_type',
  'attachment_not_found',
  'message_rejected',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** A failure as it travels: in a reply, in an ack, in an `error` event or in socket.io's `connect_error`. */
export interface ErrorBody {
  code: ErrorCode;
  /** The HTTP status that goes with the code. */
  status: number;
  message: string;
  details?: Record<string, unknown>;
}
