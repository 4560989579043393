/**
 * How a native operation is defined: its context, the table entry and `defineOp`, which ties an entry's zod
 * schema to the protocol's request type. The table (operations.ts) and the feature files beside this one
 * (ops/*.ts) all build their entries with it.
 */
import type { z } from 'zod';
import { ParleyError } from '../../../core/errors.js';
import type { Credentials, Principal } from '../../../core/identity.js';
import type { AppId } from '../../../core/types.js';
import type { EngineConnections, Session } from '../../../engine/api.js';
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
