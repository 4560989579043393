/**
 * Engine errors as the text of a numeric `{type: -1, message}` frame. The dialect has no error codes, so each
 * catalogue code is turned into a sentence in the style of the original server's later versions.
 */
import type { ParleyError } from '../../core/errors.js';
import { CHANNEL_RULE, MESSAGE_RULE, NICK_RULE, NOT_PRESENT } from './rules.js';

/** What the client was doing when the error happened: the same code reads differently in each. */
export type ErrorContext = 'login' | 'join' | 'leave' | 'send' | 'list';

export const NICK_TAKEN = 'This nickname is already in use.';
export const GUESTS_DISABLED = 'This app does not allow guests.';
export const GUEST_LIMIT = 'Too many guests now. Try later.';
export const UNKNOWN_APP = 'Unknown app.';
export const BAD_APP = 'The app must be a positive integer.';
export const ORIGIN_REFUSED = 'This origin is not allowed for this app.';
export const CANNOT_JOIN = 'You cannot join that channel.';
export const CANNOT_CREATE = 'You cannot create channels in this app.';
export const CREATING_TOO_FAST = 'You are creating channels too fast. Try again later.';
export const TOO_FAST = 'You are doing that too often. Slow down.';
export const TOO_MANY_PENDING = 'Too many requests at once. Slow down.';
export const READ_ONLY = 'Guests cannot write in this app.';
export const INTERNAL = 'Internal server error.';
export const UNAVAILABLE = 'The server is temporarily unavailable.';
export const VERIFICATION_REQUIRED = 'This app requires a verification this client cannot give.';

function retryText(err: ParleyError): string {
  const retryAfterMs = err.details?.retryAfterMs;
  if (typeof retryAfterMs !== 'number' || !Number.isFinite(retryAfterMs)) return '';
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return ` Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
}

function maxText(err: ParleyError): string {
  const max = err.details?.max;
  return typeof max === 'number' && Number.isSafeInteger(max)
    ? `Message should contain 1-${max} characters.`
    : MESSAGE_RULE;
}

/** The message of the `{type: -1}` frame for a catalogue error. Engine texts are safe to show (no secrets). */
export function errorText(err: ParleyError, context: ErrorContext): string {
  switch (err.code) {
    case 'not_joined':
      return NOT_PRESENT;
    case 'not_found':
      if (context === 'leave' || context === 'send') return NOT_PRESENT;
      if (context === 'login') return UNKNOWN_APP;
      return err.message;
    case 'too_long':
      return maxText(err);
    case 'bad_request':
      if (context === 'send') return MESSAGE_RULE;
      if (context === 'login') return NICK_RULE;
      return CHANNEL_RULE;
    case 'rate_limited':
      return context === 'send'
        ? `You are sending messages too fast.${retryText(err)}`
        : `${TOO_FAST}${retryText(err)}`;
    case 'guest_read_only':
      return READ_ONLY;
    case 'forbidden':
      return context === 'join' ? CANNOT_JOIN : err.message;
    case 'conflict':
      return context === 'login' ? NICK_TAKEN : err.message;
    case 'guests_disabled':
      return GUESTS_DISABLED;
    case 'guest_limit':
      return GUEST_LIMIT;
    case 'verification_failed':
      // The dialect's login carries no verification token: a new nickname cannot come in.
      return VERIFICATION_REQUIRED;
    case 'origin_not_allowed':
      return ORIGIN_REFUSED;
    case 'internal':
      return INTERNAL;
    case 'unavailable':
      return UNAVAILABLE;
    default:
      // muted ("You are muted for 5 minutes"), banned, unauthorized...: the engine's own sentence.
      return err.message;
  }
}
