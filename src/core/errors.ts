/**
 * The one error catalogue. Every protocol (native, HTTP, the seed dialects) reports failures with one of these
 * codes; docs/errors.md documents each, and a test fails when one is missing there.
 */
export const ERROR_CATALOGUE = {
  bad_request: { status: 400, message: 'The request is malformed or has invalid fields' },
  unknown_operation: { status: 400, message: 'The operation does not exist' },
  unauthorized: { status: 401, message: 'Authentication is required or the credentials are invalid' },
  credentials_expired: { status: 401, message: 'The credentials have expired' },
  forbidden: { status: 403, message: 'You are not allowed to do that' },
  muted: { status: 403, message: 'You are muted' },
  banned: { status: 403, message: 'You are banned' },
  guests_disabled: { status: 403, message: 'This app does not allow guests' },
  guest_read_only: { status: 403, message: 'Guests cannot write in this app' },
  guest_limit: { status: 503, message: 'Too many guests in this app; try again later' },
  accounts_disabled: { status: 403, message: 'This app does not allow self-registration' },
  origin_not_allowed: { status: 403, message: 'The Origin is not allowed for this app' },
  not_found: { status: 404, message: 'Not found' },
  not_joined: { status: 409, message: 'Join the room first' },
  conflict: { status: 409, message: 'It already exists' },
  already_authenticated: { status: 409, message: 'This connection is already authenticated' },
  too_long: { status: 413, message: 'The text is too long' },
  frame_too_large: { status: 413, message: 'The frame is larger than the limit' },
  rate_limited: { status: 429, message: 'Too many requests, slow down' },
  internal: { status: 500, message: 'Internal error' },
  unavailable: { status: 503, message: 'The service is temporarily unavailable' },
  too_many_reactions: { status: 409, message: 'The message has as many different reactions as it may' },
  dms_disabled: { status: 403, message: 'This app does not allow direct messages' },
  blocked: { status: 403, message: 'This user has blocked you' },
  connection_limit: { status: 503, message: 'Too many connections; try again later' },
  invalid_profile: { status: 400, message: 'The display name or avatar URL is not valid' },
  slow_mode: { status: 429, message: 'This room is in slow mode; wait before sending again' },
  message_filtered: { status: 422, message: 'The message was refused by the content filter' },
  verification_failed: { status: 403, message: 'This app asks new guests for a verification token' },
  room_limit: { status: 409, message: 'The app holds as many rooms of this kind as it may' },
  attachments_disabled: { status: 403, message: 'This app does not take attachments' },
  attachment_too_large: { status: 413, message: 'The file is larger than the limit' },
  attachment_type: { status: 415, message: 'Files of this type are not accepted' },
  attachment_not_found: { status: 404, message: 'No such upload, or it was already sent' },
  message_rejected: { status: 422, message: "The message was refused by the app's pre-send hook" },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

/** The wire shape of an error, the same in every protocol that carries structured errors. */
export interface ErrorBody {
  code: ErrorCode;
  status: number;
  message: string;
  details?: Record<string, unknown>;
}

export class ParleyError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? ERROR_CATALOGUE[code].message);
    this.name = 'ParleyError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.details = details;
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { code: this.code, status: this.status, message: this.message };
    if (this.details) body.details = this.details;
    return body;
  }
}

export function isParleyError(err: unknown): err is ParleyError {
  return err instanceof ParleyError;
}

/** Any thrown value as a catalogue error; unknown failures become `internal` without leaking their text. */
export function toParleyError(err: unknown): ParleyError {
  if (err instanceof ParleyError) return err;
  return new ParleyError('internal');
}
