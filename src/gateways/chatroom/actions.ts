/**
 * The chatroom actions, one entry each: its argument schema and a handler that calls the engine session.
 * Handlers write their replies (and, for connect_to_room, the room's history) through the context, in order;
 * they throw ParleyErrors, which the connection answers with an error frame.
 */
import { ParleyError } from '../../core/errors.js';
import { usernameKey } from '../../core/names.js';
import type { Session } from '../../engine/api.js';
import type { RoomRef } from '../../engine/events.js';
import { historyFrame, joinedText } from './events.js';
import {
  ACK_FRAME,
  ARG_SCHEMAS,
  okFrame,
  parseWith,
  roomNotice,
  type ActionArgs,
  type ActionName,
} from './frames.js';

/** What an action sees of its connection. */
export interface ActionContext {
  readonly session: Session;
  /** The room the connection is in; a connection is in at most one room at a time. */
  currentRoom: RoomRef | null;
  send(frame: string): void;
  /** Leave a room without answering the client (the previous room, when connecting to another). */
  leaveQuietly(room: RoomRef): Promise<void>;
}

type Handler<A extends ActionName> = (ctx: ActionContext, args: ActionArgs<A>) => Promise<void>;

/**
 * Nobody acts as someone else: the `username` or `author` a client names must be the authenticated user
 * (without regard to case, as Parley's usernames are).
 */
function assertSelf(ctx: ActionContext, named: string, field: 'username' | 'author'): void {
  const own = ctx.session.user.username;
  if (usernameKey(named) !== usernameKey(own)) {
    throw new ParleyError('forbidden', `${field} must be your own username (${own})`, { field });
  }
}

function sameName(a: string, b: string): boolean {
  return usernameKey(a.trim()) === usernameKey(b.trim());
}

const HANDLERS: { [A in ActionName]: Handler<A> } = {
  async get_rooms(ctx) {
    const rooms = await ctx.session.listRooms();
    // fromEntries defines own properties, so a room named `__proto__` is just a room.
    const counts = Object.fromEntries(rooms.map((room) => [room.name, room.online]));
    ctx.send(okFrame('get_rooms', { rooms: counts }));
  },

  async connect_to_room(ctx, args) {
    assertSelf(ctx, args.username, 'username');
    const result = await ctx.session.join(args.roomName);
    // Everything below is written before the engine hands out the room's live events (it holds them until
    // the join's continuation has run), so the history and the reply come first, in this order.
    const previous = ctx.currentRoom;
    const room: RoomRef = { id: result.room.id, name: result.room.name };
    const moved = previous?.id !== room.id;
    ctx.currentRoom = room;
    for (const message of result.messages) {
      const frame = historyFrame(message);
      if (frame !== null) ctx.send(frame);
    }
    if (moved) ctx.send(roomNotice(joinedText(ctx.session.user.username)));
    ctx.send(
      okFrame('connect_to_room', {
        roomName: room.name,
        usernames: result.online.map((user) => user.username),
      }),
    );
    if (previous && moved) await ctx.leaveQuietly(previous);
  },

  async disconnect_from_room(ctx, args) {
    assertSelf(ctx, args.username, 'username');
    await ctx.session.leave(args.roomName);
    if (ctx.currentRoom && sameName(ctx.currentRoom.name, args.roomName)) ctx.currentRoom = null;
    // No reply on success: the original server sent none, and its web client would choke on an unknown type.
  },

  async create_room(ctx, args) {
    assertSelf(ctx, args.username, 'username');
    try {
      await ctx.session.createRoom({ name: args.roomName });
    } catch (err) {
      if (err instanceof ParleyError && err.code === 'conflict') {
        throw new ParleyError('conflict', `room with name (${args.roomName.trim()}) already exists`);
      }
      throw err;
    }
    // No reply on success, as with the original server; the next command sees the room.
  },

  async send_message(ctx, args) {
    assertSelf(ctx, args.author, 'author');
    const result = await ctx.session.send(args.roomName, { text: args.message });
    // A refused slash command is an error; its text also arrives as a [Room] line (the engine's system event).
    if (result.kind === 'command' && result.error !== null) throw new ParleyError(result.error, result.text);
    ctx.send(ACK_FRAME);
  },
};

/** Validate the arguments and run the action. Throws ParleyErrors (bad_request for invalid arguments). */
export async function runAction(ctx: ActionContext, action: ActionName, rawArgs: unknown): Promise<void> {
  const parsed = parseWith(ARG_SCHEMAS[action], rawArgs === undefined ? {} : rawArgs, 'args');
  if (!parsed.ok) throw new ParleyError('bad_request', parsed.message);
  const handler = HANDLERS[action] as Handler<ActionName>;
  await handler(ctx, parsed.value as ActionArgs<ActionName>);
}

/** The `type` of an error reply: the action's name, `room_exists` for a taken room name (as the original). */
export function errorType(action: ActionName | null, err: unknown): string {
  if (action === 'create_room' && err instanceof ParleyError && err.code === 'conflict') return 'room_exists';
  return action ?? 'error';
}
