/**
 * Validation of everything an eventchat client sends: one strict zod object per event, with bounded strings.
 * The engine applies the exact rules (name syntax, message length per app) after these bounds.
 */
import { z } from 'zod';
import { ParleyError } from '../../core/errors.js';
import { checkRoomName } from '../../core/names.js';

export const LIMITS = {
  user: 64,
  /** Also the bound of an access token given as the password (the authenticator refuses longer secrets). */
  password: 1024,
  room: 128,
  /** Upper bound of `raw_content` and `content`; the app's maxMessageLength is checked by the engine. */
  text: 65_536,
  reason: 1024,
  /** A mute lasts at most a year. */
  muteSeconds: 365 * 24 * 3600,
} as const;

const username = z.string().min(1).max(LIMITS.user);
const reason = z.string().max(LIMITS.reason);

export const authSchema = z.strictObject({
  user: username,
  password: z.string().min(1).max(LIMITS.password),
  room: z.string().min(1).max(LIMITS.room),
});
export type AuthPayload = z.output<typeof authSchema>;

export const messageSchema = z.strictObject({
  /** The client's own rendering: accepted for compatibility, never used. */
  content: z.string().max(LIMITS.text).optional(),
  raw_content: z.string().max(LIMITS.text),
});
export type MessagePayload = z.output<typeof messageSchema>;

export const kickSchema = z.strictObject({ username, reason: reason.optional() });
export type KickPayload = z.output<typeof kickSchema>;

export const muteSchema = z.strictObject({
  username,
  /** Seconds; absent mutes until a moderator unmutes. */
  duration: z.number().int().min(1).max(LIMITS.muteSeconds).optional(),
  reason: reason.optional(),
});
export type MutePayload = z.output<typeof muteSchema>;

export const banSchema = z.strictObject({ username, reason: reason.optional() });
export type BanPayload = z.output<typeof banSchema>;

export const deleteMessageSchema = z.strictObject({
  id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});
export type DeleteMessagePayload = z.output<typeof deleteMessageSchema>;

/** Fields whose excess length is "too long" (413) rather than "malformed" (400). */
const TEXT_FIELDS = new Set(['raw_content', 'content']);

/**
 * Parse one event's payload or throw: `too_long` when a text field is over its bound, `bad_request` naming the
 * first offending field otherwise.
 */
export function parsePayload<S extends z.ZodType>(event: string, schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue ? issue.path.map(String) : [];
  if (issue?.code === 'unrecognized_keys') path.push(issue.keys[0] ?? '');
  const field = path.join('.');
  if (issue?.code === 'too_big' && TEXT_FIELDS.has(field)) {
    throw new ParleyError('too_long', `${field} is longer than ${LIMITS.text} characters`, { field });
  }
  const what = issue ? (field ? `${field}: ${issue.message}` : issue.message) : 'invalid payload';
  throw new ParleyError('bad_request', `Malformed ${event}: ${what}`, { field });
}

/** The `Auth` payload, with the room name checked by Parley's rules (a bad name is a malformed Auth). */
export function parseAuth(raw: unknown): AuthPayload {
  const payload = parsePayload('Auth', authSchema, raw);
  try {
    return { ...payload, room: checkRoomName(payload.room) };
  } catch (err) {
    if (err instanceof ParleyError) {
      throw new ParleyError('bad_request', `Malformed Auth: ${err.message}`, { field: 'room' });
    }
    throw err;
  }
}
