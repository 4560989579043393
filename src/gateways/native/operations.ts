/**
 * The native operation table: one entry per operation, shared by both framings. Each entry validates its input
 * with a strict zod schema and calls the session (or, for `auth`, the connection's authenticate). See
 * docs/protocol.md for the rules cited as [proto.*].
 */
import { z } from 'zod';
import { VERIFICATION_TOKEN_MAX } from '../../core/guestVerification.js';
import { ParleyError } from '../../core/errors.js';
import type { Credentials } from '../../core/identity.js';
import type { NativeOp, OpResult } from '../../protocol/native.js';
import { NATIVE_OPS } from '../../protocol/native.js';
import { reactionOps } from './ops/reactions.js';
import {
  defineOp,
  empty,
  LIMITS,
  messageId,
  minutes,
  oneCursor,
  pageFields,
  reason,
  room,
  seq,
  user,
  validate,
  type Operation,
  type OperationContext,
} from './ops/define.js';
import { searchOps } from './ops/search.js';
import { threadOps } from './ops/threads.js';
import { readOps } from './ops/read.js';
import {
  toWireBan,
  toWireHistory,
  toWireJoin,
  toWireMessage,
  toWireMute,
  toWireRoom,
  toWireRooms,
  toWireSend,
  toWireUser,
  toWireUserRefs,
} from './wire.js';
import { dmOps } from './ops/dms.js';
import { upgradeOps } from './ops/upgrade.js';
import { profileOps } from './ops/profile.js';
import { reportOps } from './ops/reports.js';
import { slowModeOps } from './ops/slowMode.js';
import { pageRoomOps } from './ops/pageRoom.js';

export { LIMITS, validate, type OperationContext } from './ops/define.js';

const authSchema = z
  .strictObject({
    token: z.string().min(1).max(LIMITS.token).optional(),
    jwt: z.string().min(1).max(LIMITS.jwt).optional(),
    username: user.optional(),
    password: z.string().min(1).max(LIMITS.password).optional(),
    guest: z.string().min(1).max(LIMITS.nickname).optional(),
    verification: z.string().min(1).max(VERIFICATION_TOKEN_MAX).optional(),
    apiKey: z.string().min(1).max(LIMITS.token).optional(),
  })
  .superRefine((value, ctx) => {
    const kinds = [
      value.token !== undefined,
      value.jwt !== undefined,
      value.username !== undefined || value.password !== undefined,
      value.guest !== undefined,
      value.apiKey !== undefined,
    ].filter(Boolean).length;
    if (kinds !== 1) {
      const message = 'give exactly one of token, jwt, username+password, guest or apiKey';
      ctx.addIssue({ code: 'custom', message });
    } else if ((value.username === undefined) !== (value.password === undefined)) {
      const missing = value.username === undefined ? 'username' : 'password';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'username and password go together' });
    } else if (value.verification !== undefined && value.guest === undefined) {
      ctx.addIssue({ code: 'custom', path: ['verification'], message: 'verification goes with guest' });
    }
  });

/** Map a validated auth (or handshake) payload onto engine credentials. */
export function toCredentials(input: z.output<typeof authSchema>): Credentials {
  if (input.token !== undefined) return { kind: 'token', token: input.token };
  if (input.jwt !== undefined) return { kind: 'jwt', jwt: input.jwt };
  if (input.apiKey !== undefined) return { kind: 'api_key', apiKey: input.apiKey };
  if (input.guest !== undefined) {
    const { verification } = input;
    return { kind: 'guest', nickname: input.guest, ...(verification !== undefined && { verification }) };
  }
  return { kind: 'password', username: input.username ?? '', password: input.password ?? '' };
}

export function parseCredentials(raw: unknown): Credentials {
  return toCredentials(validate(authSchema, raw));
}

const refreshSchema = z
  .strictObject({
    token: z.string().min(1).max(LIMITS.token).optional(),
    jwt: z.string().min(1).max(LIMITS.jwt).optional(),
  })
  .refine((v) => (v.token === undefined) !== (v.jwt === undefined), {
    message: 'give exactly one of token or jwt',
  });

const table: Record<NativeOp, Operation> = {
  auth: defineOp('auth', {
    schema: authSchema,
    requiresSession: false,
    async handle(ctx, input) {
      const principal = await ctx.authenticate(toCredentials(input));
      const result: OpResult<'auth'> = { user: toWireUser(principal.user), expiresAt: principal.expiresAt };
      if (principal.resumeToken !== undefined) result.resumeToken = principal.resumeToken;
      return result;
    },
  }),
  refresh: defineOp('refresh', {
    schema: refreshSchema,
    async handle(_ctx, input, session) {
      const credentials: Credentials =
        input.token !== undefined
          ? { kind: 'token', token: input.token }
          : { kind: 'jwt', jwt: input.jwt ?? '' };
      const principal = await session.refresh(credentials);
      return { expiresAt: principal.expiresAt };
    },
  }),
  'rooms.list': defineOp('rooms.list', {
    schema: empty,
    async handle(_ctx, _input, session) {
      return { rooms: toWireRooms(await session.listRooms({ unread: true })) };
    },
  }),
  'rooms.create': defineOp('rooms.create', {
    schema: z.strictObject({
      name: room,
      visibility: z.enum(['public', 'private']).optional(),
      topic: z.string().max(LIMITS.topic).optional(),
    }),
    async handle(_ctx, input, session) {
      return { room: toWireRoom(await session.createRoom(input)) };
    },
  }),
  join: defineOp('join', {
    schema: z.strictObject({ room, sinceSeq: seq.optional() }),
    async handle(_ctx, input, session) {
      return toWireJoin(
        await session.join(input.room, input.sinceSeq === undefined ? {} : { sinceSeq: input.sinceSeq }),
      );
    },
  }),
  leave: defineOp('leave', {
    schema: z.strictObject({ room }),
    async handle(_ctx, input, session) {
      await session.leave(input.room);
      return {};
    },
  }),
  send: defineOp('send', {
    schema: z.strictObject({
      room,
      text: z.string().max(LIMITS.text),
      clientMsgId: z.string().min(1).max(LIMITS.clientMsgId).optional(),
      replyTo: messageId.optional(),
      // Upload ids (docs/attachments.md); the engine holds them to the app's maxPerMessage.
      attachments: z.array(z.string().max(64)).max(10).optional(),
    }),
    async handle(_ctx, input, session) {
      const { text, clientMsgId = null, replyTo = null, attachments } = input;
      const files = attachments === undefined ? {} : { attachments };
      return toWireSend(await session.send(input.room, { text, clientMsgId, replyTo, ...files }));
    },
  }),
  edit: defineOp('edit', {
    schema: z.strictObject({ room, id: messageId, text: z.string().max(LIMITS.text) }),
    async handle(_ctx, input, session) {
      return { message: toWireMessage(await session.edit(input.room, input.id, input.text)) };
    },
  }),
  delete: defineOp('delete', {
    schema: z.strictObject({ room, id: messageId }),
    async handle(_ctx, input, session) {
      return { message: toWireMessage(await session.remove(input.room, input.id)) };
    },
  }),
  history: defineOp('history', {
    schema: oneCursor(z.strictObject({ room, ...pageFields })),
    async handle(_ctx, input, session) {
      const { room: name, ...query } = input;
      return toWireHistory(await session.history(name, query));
    },
  }),
  typing: defineOp('typing', {
    schema: z.strictObject({ room, typing: z.boolean() }),
    async handle(_ctx, input, session) {
      session.typing(input.room, input.typing);
      return {};
    },
  }),
  members: defineOp('members', {
    schema: z.strictObject({ room }),
    async handle(_ctx, input, session) {
      const { online } = await session.members(input.room);
      return { online: toWireUserRefs(online) };
    },
  }),
  watch_online: defineOp('watch_online', {
    schema: z.strictObject({}),
    async handle(_ctx, _input, session) {
      return { online: toWireUserRefs(session.watchOnline().online) };
    },
  }),
  mute: defineOp('mute', {
    schema: z.strictObject({
      user,
      room: room.optional(),
      minutes: minutes.optional(),
      reason: reason.optional(),
    }),
    async handle(_ctx, input, session) {
      const { user: target, ...opts } = input;
      return { mute: toWireMute(await session.mute(target, opts)) };
    },
  }),
  unmute: defineOp('unmute', {
    schema: z.strictObject({ user, room: room.optional() }),
    async handle(_ctx, input, session) {
      await session.unmute(input.user, input.room === undefined ? {} : { room: input.room });
      return {};
    },
  }),
  ban: defineOp('ban', {
    schema: z.strictObject({ user, minutes: minutes.optional(), reason: reason.optional() }),
    async handle(_ctx, input, session) {
      const { user: target, ...opts } = input;
      return { ban: toWireBan(await session.ban(target, opts)) };
    },
  }),
  unban: defineOp('unban', {
    schema: z.strictObject({ user }),
    async handle(_ctx, input, session) {
      await session.unban(input.user);
      return {};
    },
  }),
  kick: defineOp('kick', {
    schema: z.strictObject({ user, reason: reason.optional() }),
    async handle(_ctx, input, session) {
      await session.kick(input.user, input.reason === undefined ? {} : { reason: input.reason });
      return {};
    },
  }),
  ping: defineOp('ping', {
    schema: empty,
    requiresSession: false,
    async handle(ctx) {
      return { time: ctx.now() };
    },
  }),
  ...threadOps,
  ...reactionOps,
  ...readOps,
  ...searchOps,
  ...dmOps,
  ...upgradeOps,
  ...profileOps,
  ...reportOps,
  ...slowModeOps,
  ...pageRoomOps,
};

/** The table as a Map, so that names like `__proto__` or `constructor` are simply unknown. */
export const OPERATIONS: ReadonlyMap<string, Operation> = new Map(NATIVE_OPS.map((op) => [op, table[op]]));

/**
 * Run one request: unknown op → unknown_operation, auth twice → already_authenticated, anything but auth/ping
 * before auth → unauthorized, invalid data → bad_request; otherwise the handler's result. Throws ParleyErrors
 * (and whatever a handler throws).
 */
export async function runOperation(ctx: OperationContext, op: unknown, data: unknown): Promise<unknown> {
  const operation = typeof op === 'string' ? OPERATIONS.get(op) : undefined;
  if (!operation) {
    throw new ParleyError('unknown_operation', undefined, {
      op: typeof op === 'string' ? op.slice(0, 64) : null,
    });
  }
  if (op === 'auth' && (ctx.session !== null || ctx.authenticating))
    throw new ParleyError('already_authenticated');
  if (operation.requiresSession && ctx.session === null) throw new ParleyError('unauthorized');
  return operation.run(ctx, data);
}
