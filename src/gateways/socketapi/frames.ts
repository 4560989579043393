/**
 * Validation of what a socketapi client sends: one strict zod schema per client event, the lenient read of
 * `transaction` that lets even a malformed request be answered on its `socket-api-error-<transaction>`, and
 * the bounded event name that error replies carry.
 */
import { z } from 'zod';
import { ParleyError } from '../../core/errors.js';
import type { ClientEvent } from './protocol.js';
import { LIMITS } from './protocol.js';

const transaction = z.string().min(1).max(LIMITS.transaction);
const channelId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const token = z.string().min(1).max(LIMITS.token);

const authSchema = z
  .strictObject({ transaction: transaction.optional(), data: token.optional(), token: token.optional() })
  .refine((v) => (v.data === undefined) !== (v.token === undefined), {
    message: 'give the access token as `data` (or as `token`), exactly once',
    path: ['data'],
  });

const emptySchema = z.strictObject({ transaction: transaction.optional() });
const channelSchema = z.strictObject({ transaction: transaction.optional(), channelId });
const sendSchema = z.strictObject({
  transaction: transaction.optional(),
  channelId,
  text: z.string().min(1).max(LIMITS.text),
});

export const SCHEMAS = {
  auth: authSchema,
  'get-channels': emptySchema,
  'get-online-users': emptySchema,
  'join-channel': channelSchema,
  'leave-channel': channelSchema,
  'send-message': sendSchema,
} as const satisfies Record<ClientEvent, z.ZodType>;

export type Payload<E extends ClientEvent> = z.output<(typeof SCHEMAS)[E]>;

/** Events without fields may be sent with no data at all. */
const MAY_BE_EMPTY: ReadonlySet<ClientEvent> = new Set(['get-channels', 'get-online-users']);

/** Validate one request's data, or throw bad_request with a message naming the first offending field. */
export function parsePayload<E extends ClientEvent>(event: E, raw: unknown): Payload<E> {
  if (raw === undefined && MAY_BE_EMPTY.has(event)) raw = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ParleyError('bad_request', `${event} expects an object`);
  }
  const parsed = SCHEMAS[event].safeParse(raw);
  if (parsed.success) return parsed.data as Payload<E>;
  const issue = parsed.error.issues[0];
  if (!issue) throw new ParleyError('bad_request', 'Invalid data');
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') path.push(issue.keys[0] ?? '');
  const field = path.join('.');
  const text = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
  throw new ParleyError('bad_request', field ? `${field}: ${text}` : text, { field });
}

/**
 * The request's `transaction` when it is a valid one, read before (and whatever the outcome of) validation,
 * so that a malformed request is still answered on `socket-api-error-<transaction>`. An invalid transaction
 * is reported by parsePayload and gets only the general `socket-api-error`.
 */
export function readTransaction(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  if (!Object.prototype.hasOwnProperty.call(raw, 'transaction')) return null;
  const value: unknown = Reflect.get(raw, 'transaction');
  return transaction.safeParse(value).success ? (value as string) : null;
}

/** The event name an error reply names: the client's own, cut to a bounded length. */
export function eventLabel(name: unknown): string {
  const text = typeof name === 'string' ? name : typeof name === 'number' ? String(name) : '';
  return text.length > LIMITS.eventName ? text.slice(0, LIMITS.eventName) : text;
}
