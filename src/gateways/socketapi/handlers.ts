/**
 * The requests an authenticated socketapi connection may make beyond `auth` (Parley extensions in the
 * document's style). Each validates nothing itself (frames.ts has), calls the session and replies with one
 * event that echoes the request's `transaction`. Failures are thrown as ParleyErrors for the connection to
 * answer with socket-api-error.
 */
import { ParleyError } from '../../core/errors.js';
import type { EngineConnections, Session } from '../../engine/api.js';
import type { ChannelDirectory } from './channels.js';
import { toChannelModel, toMessageModel, toUserModel } from './encode.js';
import type { Payload } from './frames.js';
import type { ClientEvent } from './protocol.js';
import { SERVER_EVENTS } from './protocol.js';

export interface RequestContext {
  readonly appId: number;
  readonly engine: EngineConnections;
  readonly session: Session;
  readonly channels: ChannelDirectory;
  /** Queue one reply behind whatever the connection has queued already. */
  reply(event: string, data: Record<string, unknown>): void;
}

type SessionEvent = Exclude<ClientEvent, 'auth'>;

type Handler<E extends SessionEvent> = (ctx: RequestContext, input: Payload<E>) => Promise<void>;

/** `transaction` echoed only when the client gave one. */
function withTransaction(transaction: string | undefined, data: Record<string, unknown>) {
  return transaction === undefined ? data : { transaction, ...data };
}

/**
 * The room name of a channel id the user may see. A miss refreshes from the engine once (the channel may be
 * newer than this connection's knowledge); a channel the user may not see is reported as not found, so that
 * private channels are not revealed.
 */
async function channelName(ctx: RequestContext, id: number): Promise<string> {
  const known = ctx.channels.nameOf(id);
  if (known !== undefined) return known;
  ctx.channels.merge(await ctx.session.listRooms());
  const name = ctx.channels.nameOf(id);
  if (name === undefined) throw new ParleyError('not_found', 'Channel not found');
  return name;
}

export const HANDLERS: { [E in SessionEvent]: Handler<E> } = {
  async 'get-channels'(ctx, input) {
    const rooms = await ctx.session.listRooms();
    ctx.channels.merge(rooms);
    const channels = rooms.map((room) => toChannelModel(room, ctx.appId));
    ctx.reply(SERVER_EVENTS.channelsList, withTransaction(input.transaction, { channels }));
  },

  async 'get-online-users'(ctx, input) {
    const users = ctx.engine.online(ctx.appId).map(toUserModel);
    ctx.reply(SERVER_EVENTS.onlineUsers, withTransaction(input.transaction, { users }));
  },

  async 'join-channel'(ctx, input) {
    const joined = await ctx.session.join(await channelName(ctx, input.channelId));
    // Written in join's continuation, before the engine releases the events it held during the join.
    ctx.reply(
      SERVER_EVENTS.channelJoined,
      withTransaction(input.transaction, {
        channelId: joined.room.id,
        messages: joined.messages.filter((m) => m.deletedAt === null).map(toMessageModel),
        missed: joined.gap?.missed ?? 0,
      }),
    );
  },

  async 'leave-channel'(ctx, input) {
    await ctx.session.leave(await channelName(ctx, input.channelId));
    ctx.reply(SERVER_EVENTS.channelLeft, withTransaction(input.transaction, { channelId: input.channelId }));
  },

  async 'send-message'(ctx, input) {
    const result = await ctx.session.send(await channelName(ctx, input.channelId), { text: input.text });
    if (result.kind === 'message') {
      ctx.reply(
        SERVER_EVENTS.messageSent,
        withTransaction(input.transaction, { message: toMessageModel(result.message) }),
      );
      return;
    }
    // A slash command: its outcome is the reply (the engine's `system` echo has no event in this dialect).
    if (result.error !== null) throw new ParleyError(result.error, result.text);
    ctx.reply(
      SERVER_EVENTS.messageSent,
      withTransaction(input.transaction, { message: null, notice: result.text }),
    );
  },
};

export function runHandler<E extends SessionEvent>(
  event: E,
  ctx: RequestContext,
  input: Payload<E>,
): Promise<void> {
  const handler = HANDLERS[event] as Handler<E>;
  return handler(ctx, input);
}
