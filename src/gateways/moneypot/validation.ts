/**
 * Validation of everything a moneypot client sends: the arguments of an event (payload and callback), the
 * auth payload and the text of new_message. Each check answers either the clean value or the client_error
 * text to send back.
 */
import { z } from 'zod';
import type { AppId } from '../../core/types.js';
import { CLIENT_ERRORS, HASHED_TOKEN_MAX, TEXT_MAX } from './protocol.js';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** A callback as socket.io hands it to the server: call it once with the reply's arguments. */
export type Callback = (...args: unknown[]) => void;

export interface EventArgs {
  /** The arguments before the callback. */
  params: unknown[];
  callback: Callback | null;
}

/** Splits an event's arguments into its data and the callback socket.io appends when the client asked for one. */
export function splitArgs(args: readonly unknown[]): EventArgs {
  const last = args[args.length - 1];
  if (typeof last === 'function') {
    return { params: args.slice(0, -1), callback: last as Callback };
  }
  return { params: [...args], callback: null };
}

const MAX_APP_ID = 999_999_999;

/**
 * app_id: an integer as the document says; a string of digits is accepted too (the original compared numbers
 * loosely), so that `app_id: "2"` from a config template works.
 */
const appIdSchema = z.union([
  z.number().int().min(1).max(MAX_APP_ID),
  z
    .string()
    .regex(/^[1-9]\d{0,8}$/)
    .transform(Number),
]);

const authSchema = z.strictObject({
  app_id: appIdSchema,
  hashed_token: z.string().max(HASHED_TOKEN_MAX).nullish(),
});

export interface AuthPayload {
  appId: AppId;
  /** The sha256 hex to log in with, lowercased; null when absent or not a sha256 hex (an anonymous reader). */
  hash: string | null;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseAuthPayload(raw: unknown): Checked<AuthPayload> {
  if (!isPlainRecord(raw)) return { ok: false, error: CLIENT_ERRORS.authNotObject };
  const parsed = authSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === 'unrecognized_keys') {
      return { ok: false, error: CLIENT_ERRORS.authUnknownKeys(issue.keys) };
    }
    if (issue?.path[0] === 'hashed_token') return { ok: false, error: CLIENT_ERRORS.authBadHashedToken };
    if (!Object.hasOwn(raw, 'app_id') || raw.app_id === undefined || raw.app_id === null) {
      return { ok: false, error: CLIENT_ERRORS.authMissingAppId };
    }
    return { ok: false, error: CLIENT_ERRORS.authBadAppId };
  }
  const token = parsed.data.hashed_token?.trim().toLowerCase() ?? '';
  return { ok: true, value: { appId: parsed.data.app_id, hash: SHA256_HEX.test(token) ? token : null } };
}

/** new_message text: a string, 1-140 characters (code points) once trimmed. Answers the trimmed text. */
export function parseMessageText(raw: unknown): Checked<string> {
  if (typeof raw !== 'string') return { ok: false, error: CLIENT_ERRORS.textNotString };
  const text = raw.trim();
  // Count at most TEXT_MAX + 1 code points: a huge string is refused without being split whole.
  let length = 0;
  for (const _ of text) {
    length += 1;
    if (length > TEXT_MAX) break;
  }
  if (length === 0 || length > TEXT_MAX) return { ok: false, error: CLIENT_ERRORS.textLength };
  return { ok: true, value: text };
}
