/**
 * What each numeric request does once validated: join (creating the channel on first join), leave, list users
 * and send. A handler answers through `ctx.push` or throws (a NumericRefusal with the dialect's own text, or an
 * engine ParleyError that the connection turns into `{type: -1}`).
 */
import { isParleyError } from '../../core/errors.js';
import type { TokenBucket } from '../../core/tokenBucket.js';
import type { AppId, UserRef } from '../../core/types.js';
import type { JoinResult, Session } from '../../engine/api.js';
import type { GatewayDeps } from '../types.js';
import { CANNOT_CREATE, CREATING_TOO_FAST } from './errors.js';
import { messageFrame } from './events.js';
import { channelFrame, encodeFrame, listFrame, TYPE } from './frames.js';
import type { Command } from './frames.js';
import { ALREADY_JOINED, NOT_PRESENT, secondsOf, SERVER_USER } from './rules.js';

/** How many messages a join replays (later versions: the last 50). */
export const JOIN_REPLAY = 50;

/** A channel this connection has joined. */
export interface RoomRef {
  id: number;
  name: string;
}

/** A refusal with the dialect's own text (not an engine error). */
export class NumericRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NumericRefusal';
  }
}

/** What the handlers need from their connection. */
export interface CommandContext {
  readonly deps: GatewayDeps;
  readonly appId: AppId;
  /** Channels joined through this connection: room id → name (kept in step by the connection). */
  readonly rooms: Map<number, string>;
  /** Channel creations this connection may still make. */
  readonly creations: TokenBucket;
  push(frame: string): void;
}

/** The joined channel with this name (names compare without regard to case, as Parley's rooms do). */
export function roomNamed(rooms: Map<number, string>, name: string): RoomRef | null {
  const key = name.toLowerCase();
  for (const [id, roomName] of rooms) if (roomName.toLowerCase() === key) return { id, name: roomName };
  return null;
}

/** Type 4: the joiner's own type 4, then the replay with `history: true`; members hear of it from the engine. */
export async function joinChannel(ctx: CommandContext, session: Session, channel: string): Promise<void> {
  if (roomNamed(ctx.rooms, channel)) throw new NumericRefusal(ALREADY_JOINED);
  let result: JoinResult;
  try {
    result = await session.join(channel);
  } catch (err) {
    if (!isParleyError(err) || err.code !== 'not_found') throw err;
    result = await createChannel(ctx, session, channel);
  }
  // Written in join()'s continuation: the engine hands out later room events after this (releaseHeld).
  const room = { id: result.room.id, name: result.room.name };
  ctx.rooms.set(room.id, room.name);
  ctx.push(channelFrame(TYPE.join, room.name, session.user.username));
  for (const message of result.messages.slice(-JOIN_REPLAY)) {
    if (message.deletedAt === null) ctx.push(encodeFrame(messageFrame(message, true)));
  }
}

/** Channels are created on first join, as public rooms, under the engine's room-creation policy. */
async function createChannel(ctx: CommandContext, session: Session, channel: string): Promise<JoinResult> {
  if (!ctx.creations.take(Date.now()).ok) throw new NumericRefusal(CREATING_TOO_FAST);
  try {
    return await session.join(channel, { create: true });
  } catch (err) {
    if (isParleyError(err) && err.code === 'forbidden') throw new NumericRefusal(CANNOT_CREATE);
    throw err;
  }
}

/**
 * Type 5: the leaver's own type 5. The others hear it from the engine, at once: a deliberate leave has no
 * presence grace period.
 */
export async function leaveChannel(ctx: CommandContext, session: Session, channel: string): Promise<void> {
  const room = roomNamed(ctx.rooms, channel);
  if (!room) throw new NumericRefusal(NOT_PRESENT);
  try {
    await session.leave(room.name);
  } finally {
    // Whatever the engine answered (not_joined after a deletion...), this connection is no longer in it.
    ctx.rooms.delete(room.id);
  }
  ctx.push(channelFrame(TYPE.leave, room.name, session.user.username));
}

/** Type 6: the app's users, or one channel's. */
export async function listUsers(
  ctx: CommandContext,
  session: Session,
  channel: string | null,
): Promise<void> {
  if (channel === null) {
    const users = ctx.deps.engine.online(ctx.appId).map((entry) => entry.user.username);
    ctx.push(listFrame(users, null));
    return;
  }
  const name = roomNamed(ctx.rooms, channel)?.name ?? channel;
  let online: UserRef[];
  try {
    online = (await session.members(channel)).online;
  } catch (err) {
    // A channel nobody created yet has nobody in it (as in later versions).
    if (!isParleyError(err) || err.code !== 'not_found') throw err;
    online = [];
  }
  ctx.push(
    listFrame(
      online.map((user) => user.username),
      name,
    ),
  );
}

/** Types 0 and 7. The message comes back to the sender with everyone else's copy (the room's broadcast). */
export async function sendMessage(
  ctx: CommandContext,
  session: Session,
  command: Extract<Command, { kind: 'message' }>,
): Promise<void> {
  // Numeric text is literal: a leading "/" is escaped so that the engine does not read a slash command;
  // type 7 is the one way to a /me action.
  const text = command.action
    ? `/me ${command.text}`
    : command.text.startsWith('/')
      ? `/${command.text}`
      : command.text;
  const result = await session.send(command.channel, { text });
  if (result.kind !== 'command') return;
  // Not reached with the texts above; should the engine read a command anyway, its answer is shown.
  if (result.error !== null) throw new NumericRefusal(result.text);
  ctx.push(
    encodeFrame({
      type: TYPE.message,
      time: secondsOf(Date.now()),
      dest: roomNamed(ctx.rooms, command.channel)?.name ?? command.channel,
      message: result.text,
      user: SERVER_USER,
    }),
  );
}
