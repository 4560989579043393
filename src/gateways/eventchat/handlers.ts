/**
 * What an authenticated eventchat client may send after `Auth`: `message`, and the moderator events of the
 * seed's later versions (`kick`, `mute`, `ban`, `deleteMessage`). Each validates its payload and calls the
 * session, which checks the user's rights; failures are thrown as ParleyErrors and answered as `cerror`.
 */
import { isParleyError } from '../../core/errors.js';
import type { Session } from '../../engine/api.js';
import { systemFrame } from './frames.js';
import { CLIENT_EVENT, SERVER_EVENT, type MuteFrame, type OutboundFrame } from './protocol.js';
import {
  banSchema,
  deleteMessageSchema,
  kickSchema,
  messageSchema,
  muteSchema,
  parsePayload,
} from './schemas.js';

/** What a handler sees of its connection. */
export interface HandlerContext {
  readonly session: Session;
  /** The room the client authenticated into (its current name). */
  readonly room: string;
  /** Emit a frame to this client only. */
  tell(frame: OutboundFrame): void;
  /**
   * Run `remove` (a deletion of message `id`) and make sure this client hears `deleteMessage {id}` once: from
   * the room's event, or, when there was none (the message was already deleted), from the connection itself.
   */
  confirmDeletion(id: number, remove: () => Promise<unknown>): Promise<void>;
  now(): number;
}

export type Handler = (ctx: HandlerContext, data: unknown) => Promise<void>;

/** Whole seconds left until `expiresAt` (at least 1 while it lasts); null for a mute without an end. */
export function secondsLeft(expiresAt: number | null, now: number): number | null {
  if (expiresAt === null) return null;
  return Math.max(1, Math.ceil((expiresAt - now) / 1000));
}

export function muteFrame(expiresAt: number | null, now: number): OutboundFrame {
  const data: MuteFrame = { duration: secondsLeft(expiresAt, now) };
  return { event: SERVER_EVENT.mute, data };
}

function expiresAtOf(details: Record<string, unknown> | undefined): number | null {
  const value = details?.expiresAt;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * `message {content, raw_content}`: posts `raw_content` (slash commands included) as the session's user. The
 * room's `message` event, the sender's copy included, comes from the engine's fan-out; a command's answer comes
 * as the engine's `system` event. A muted sender is also told for how long.
 */
const message: Handler = async (ctx, data) => {
  const payload = parsePayload(CLIENT_EVENT.message, messageSchema, data);
  try {
    await ctx.session.send(ctx.room, { text: payload.raw_content });
  } catch (err) {
    if (isParleyError(err) && err.code === 'muted') ctx.tell(muteFrame(expiresAtOf(err.details), ctx.now()));
    throw err;
  }
};

const kick: Handler = async (ctx, data) => {
  const payload = parsePayload(CLIENT_EVENT.kick, kickSchema, data);
  await ctx.session.kick(payload.username, payload.reason === undefined ? {} : { reason: payload.reason });
  ctx.tell({ event: SERVER_EVENT.message, data: systemFrame(`User "${payload.username}" kicked`) });
};

/** `mute {username, duration}`: in the moderator's room, for `duration` seconds rounded up to whole minutes. */
const mute: Handler = async (ctx, data) => {
  const payload = parsePayload(CLIENT_EVENT.mute, muteSchema, data);
  const opts: { room: string; minutes?: number; reason?: string } = { room: ctx.room };
  if (payload.duration !== undefined) opts.minutes = Math.ceil(payload.duration / 60);
  if (payload.reason !== undefined) opts.reason = payload.reason;
  const result = await ctx.session.mute(payload.username, opts);
  const left = secondsLeft(result.expiresAt, ctx.now());
  const how = left === null ? 'until unmuted' : `for ${left} seconds`;
  ctx.tell({ event: SERVER_EVENT.message, data: systemFrame(`User "${payload.username}" muted ${how}`) });
};

const ban: Handler = async (ctx, data) => {
  const payload = parsePayload(CLIENT_EVENT.ban, banSchema, data);
  await ctx.session.ban(payload.username, payload.reason === undefined ? {} : { reason: payload.reason });
  ctx.tell({ event: SERVER_EVENT.message, data: systemFrame(`User "${payload.username}" banned`) });
};

/**
 * `deleteMessage {id}`: everyone in the room, the moderator included, gets `deleteMessage {id}` (a message that
 * was already deleted is confirmed to the sender only).
 */
const deleteMessage: Handler = async (ctx, data) => {
  const payload = parsePayload(CLIENT_EVENT.deleteMessage, deleteMessageSchema, data);
  const { session, room } = ctx;
  await ctx.confirmDeletion(payload.id, () => session.remove(room, payload.id));
};

/** A Map, so that names such as `__proto__` or `constructor` are simply unknown. */
export const HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  [CLIENT_EVENT.message, message],
  [CLIENT_EVENT.kick, kick],
  [CLIENT_EVENT.mute, mute],
  [CLIENT_EVENT.ban, ban],
  [CLIENT_EVENT.deleteMessage, deleteMessage],
]);
