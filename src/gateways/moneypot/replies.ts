/**
 * What a new_message is answered with: the callback's error (null on success) and the client_error or
 * system_message that explains it. Slash-command outcomes are worded as the original server worded them.
 */
import { isParleyError } from '../../core/errors.js';
import type { SendResult } from '../../engine/api.js';
import type { CallbackError } from './protocol.js';
import { CALLBACK_ERRORS, CLIENT_ERRORS, SYSTEM_MESSAGES } from './protocol.js';

export interface Reply {
  error: CallbackError | null;
  clientError?: string;
  systemMessage?: string;
  /** True for failures the server should log (storage, bugs): the client only learns INTERNAL_ERROR. */
  internal?: boolean;
}

/** The command name of a slash text, lowercased: `/Mute foo 5` → `mute`. */
export function commandName(text: string): string | null {
  const match = /^\/(\w+)/.exec(text);
  return match?.[1] ? match[1].toLowerCase() : null;
}

/** The system_message for a slash command the engine ran or refused. */
export function commandFeedback(result: Extract<SendResult, { kind: 'command' }>, text: string): string {
  if (result.error === null) return result.text;
  const name = commandName(text);
  switch (result.error) {
    case 'forbidden':
      return SYSTEM_MESSAGES.notAuthorized;
    case 'bad_request':
      if (name === 'mute') return SYSTEM_MESSAGES.invalidMute;
      if (name === 'unmute') return SYSTEM_MESSAGES.invalidUnmute;
      return result.text;
    case 'not_found':
      return name === 'unmute' ? SYSTEM_MESSAGES.notInMutelist : result.text;
    default:
      return result.text;
  }
}

/** A send that the engine answered: a message (callback with null) or a command (feedback, then null). */
export function replyToResult(result: SendResult, text: string): Reply {
  if (result.kind === 'message') return { error: null };
  return { error: null, systemMessage: commandFeedback(result, text) };
}

function numberDetail(details: Record<string, unknown> | undefined, key: string, fallback: number): number {
  const value = details?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** A send that the engine refused or that failed. */
export function replyToError(err: unknown): Reply {
  if (!isParleyError(err)) return { error: CALLBACK_ERRORS.internal, internal: true };
  switch (err.code) {
    case 'muted':
      return { error: CALLBACK_ERRORS.muted, systemMessage: SYSTEM_MESSAGES.muted };
    case 'rate_limited':
    case 'slow_mode': {
      // The seed has one refusal for sending too often; slow mode says which limit it is in the words.
      const wait = numberDetail(err.details, 'retryAfterMs', 1000);
      const words = err.code === 'slow_mode' ? SYSTEM_MESSAGES.slowMode : SYSTEM_MESSAGES.rateLimited;
      return { error: CALLBACK_ERRORS.rateLimited, systemMessage: words(wait) };
    }
    case 'banned':
      return { error: CALLBACK_ERRORS.banned, systemMessage: SYSTEM_MESSAGES.banned };
    case 'unauthorized':
    case 'guest_read_only':
      return { error: CALLBACK_ERRORS.userRequired };
    case 'too_long':
      return {
        error: CALLBACK_ERRORS.clientError,
        clientError: CLIENT_ERRORS.tooLong(numberDetail(err.details, 'max', 0)),
      };
    case 'bad_request':
    case 'message_filtered':
      return { error: CALLBACK_ERRORS.clientError, clientError: err.message };
    case 'internal':
    case 'unavailable':
      return { error: CALLBACK_ERRORS.internal, internal: err.code === 'internal' };
    default:
      // The lobby went away, a right changed under the socket: the client is told why in words.
      return { error: CALLBACK_ERRORS.internal, systemMessage: err.message };
  }
}
