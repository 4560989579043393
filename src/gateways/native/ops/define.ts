/**
 * What every native operation entry is built with: the context a handler sees, the input bounds, the common
 * field schemas and `defineOp`. The table (operations.ts) and the operation files beside this one share it.
 */
import { z } from 'zod';
import { CLIENT_MSG_ID_MAX } from '../../../core/messages.js';
import { ParleyError } from '../../../core/errors.js';
import type { AppId } from '../../../core/types.js';
import type { EngineConnections, Session } from '../../../engine/api.js';
import type { Credentials, Principal } from '../../../core/identity.js';
import type { NativeOp, OpRequest, OpResult } from '../../../protocol/native.js';

/** What a handler sees of its connection. */
export interface OperationContext {
  readonly appId: AppId;
  readonly engine: EngineConnections;
  /** The session once authenticated; null before. */
  readonly session: Session | null;
  /** True while an `auth` is in flight. */
  readonly authenticating: boolean;
  /** Authenticate and open the connection's session. */
  authenticate(credentials: Credentials): Promise<Principal>;
  /** Server time, for `ping`. */
  now(): number;
}

/** Bounds on string inputs; the engine applies the exact rules (names, lengths) after these. */
export const LIMITS = {
  room: 128,
  username: 64,
  password: 1024,
  token: 4096,
  jwt: 16_384,
  nickname: 64,
  text: 65_536,
  topic: 1024,
  reason: 1024,
  clientMsgId: CLIENT_MSG_ID_MAX,
  historyLimit: 1000,
  minutes: 60 * 24 * 365,
} as const;

export const room = z.string().min(1).max(LIMITS.room);
export const user = z.string().min(1).max(LIMITS.username);
export const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const messageId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
export const minutes = z.number().int().min(1).max(LIMITS.minutes);
export const reason = z.string().max(LIMITS.reason);
export const empty = z.strictObject({});

/** The cursor fields of a page of messages by seq (history, replies): before or after, and a size. */
export const pageFields = {
  before: seq.optional(),
  after: seq.optional(),
  limit: z.number().int().min(1).max(LIMITS.historyLimit).optional(),
};

/** A page names one cursor at most. */
export function oneCursor<S extends z.ZodType<{ before?: number | undefined; after?: number | undefined }>>(
  schema: S,
) {
  return schema.refine((v) => v.before === undefined || v.after === undefined, {
    message: 'give before or after, not both',
    path: ['after'],
  });
}

export interface Operation {
  /** False for the operations allowed before authentication (auth, ping). */
  readonly requiresSession: boolean;
  run(ctx: OperationContext, raw: unknown): Promise<unknown>;
}

/**
 * One table entry. The trailing `check` parameter only compiles when every request the protocol types allow
 * is valid input for the schema, so the schemas and src/protocol/native.ts cannot drift apart.
 */
export function defineOp<O extends NativeOp, S extends z.ZodType>(
  _op: O,
  spec: {
    schema: S;
    requiresSession?: boolean;
    handle: (ctx: OperationContext, input: z.output<S>, session: Session) => Promise<OpResult<O>>;
  },
  ..._check: OpRequest<O> extends z.input<S> ? [] : [never]
): Operation {
  const requiresSession = spec.requiresSession ?? true;
  return {
    requiresSession,
    async run(ctx, raw) {
      const input = validate(spec.schema, raw);
      // The dispatcher has checked the session for the operations that need it.
      return spec.handle(ctx, input, ctx.session as Session);
    },
  };
}

/** Parse or throw bad_request naming the first offending field ([proto.validation]). */
export function validate<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw === undefined ? {} : raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 10).map((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') path.push(issue.keys[0] ?? '');
    return { path: path.join('.'), code: issue.code, message: issue.message };
  });
  const first = issues[0];
  const field = first?.path ?? '';
  const message = first ? (field ? `${field}: ${first.message}` : first.message) : 'Invalid request';
  throw new ParleyError('bad_request', message, { field, issues });
}
