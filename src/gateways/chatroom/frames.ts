/**
 * The chatroom dialect's wire format (docs/dialects/chatroom.md): what a client may send, validated with strict
 * zod schemas and bounded strings, and the JSON text of every frame the server sends.
 */
import { z } from 'zod';

/** The framing name for encodeOnce: one encoding of a pushed event, shared by every chatroom recipient. */
export const CHATROOM_FRAMING = 'chatroom';

/** The author of the room's own announcements (joins, leaves, notices), as the original server wrote them. */
export const ROOM_AUTHOR = '[Room]';

/** Bounds on inbound strings; the engine applies the exact rules (name patterns, text length) after these. */
export const LIMITS = {
  username: 64,
  token: 4096,
  action: 64,
  roomName: 128,
  message: 65_536,
} as const;

export const ACTION_NAMES = [
  'get_rooms',
  'connect_to_room',
  'disconnect_from_room',
  'create_room',
  'send_message',
] as const;

export type ActionName = (typeof ACTION_NAMES)[number];

/** A Set, so that names such as `__proto__` or `constructor` are simply unknown. */
const KNOWN_ACTIONS: ReadonlySet<string> = new Set(ACTION_NAMES);

export function isActionName(value: unknown): value is ActionName {
  return typeof value === 'string' && KNOWN_ACTIONS.has(value);
}

// ------------------------------------------------------------------------------------------------ inbound

const username = z.string().min(1).max(LIMITS.username);
const token = z.string().min(1).max(LIMITS.token);
const roomName = z.string().min(1).max(LIMITS.roomName);

/** The first frame: `{username}` as the document shows, or `{username, token}` as its own web client sends. */
export const helloSchema = z.strictObject({
  username,
  token: token.nullable().optional(),
});

/** Every later frame. `args` may be left out when the action takes none (get_rooms). */
export const commandSchema = z.strictObject({
  token,
  action: z.string().min(1).max(LIMITS.action),
  args: z.unknown().optional(),
});

const userAndRoom = z.strictObject({ username, roomName });

/** The arguments of each action. */
export const ARG_SCHEMAS = {
  get_rooms: z.strictObject({}),
  connect_to_room: userAndRoom,
  disconnect_from_room: userAndRoom,
  create_room: userAndRoom,
  send_message: z.strictObject({
    roomName,
    author: username,
    message: z.string().max(LIMITS.message),
  }),
} as const satisfies Record<ActionName, z.ZodType>;

export type ActionArgs<A extends ActionName> = z.output<(typeof ARG_SCHEMAS)[A]>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Parse, or say what is wrong with the first offending field (`args.roomName: Too big: ...`). */
export function parseWith<S extends z.ZodType>(schema: S, raw: unknown, prefix = ''): Parsed<z.output<S>> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  if (!issue) return { ok: false, message: 'Invalid frame' };
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) {
    return {
      ok: false,
      message: `Unknown field: ${[prefix, ...path, issue.keys[0].slice(0, 64)].filter(Boolean).join('.')}`,
    };
  }
  const field = [prefix, ...path].filter(Boolean).join('.');
  return { ok: false, message: field ? `${field}: ${issue.message}` : issue.message };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The action a frame names when it is a known one (own property only), else null. */
export function actionOf(value: unknown): ActionName | null {
  if (!isRecord(value) || !Object.hasOwn(value, 'action')) return null;
  const action = value['action'];
  return isActionName(action) ? action : null;
}

// ------------------------------------------------------------------------------------------------ outbound

export interface OkFrame<D extends object = Record<string, unknown>> {
  statusCode: 'ok';
  type: string;
  data: D;
}

export interface ErrorFrame {
  statusCode: 'error';
  type: string;
  data: { message: string };
}

export interface ReceivedMessage {
  author: string;
  message: string;
}

export function okFrame(type: string, data: object): string {
  const frame: OkFrame<object> = { statusCode: 'ok', type, data };
  return JSON.stringify(frame);
}

export function errorFrame(type: string, message: string): string {
  const frame: ErrorFrame = { statusCode: 'error', type, data: { message } };
  return JSON.stringify(frame);
}

/** The acknowledgement of send_message: an empty type, which the original web client ignores. */
export const ACK_FRAME = okFrame('', {});

export function receiveMessageFrame(author: string, message: string): string {
  const data: ReceivedMessage = { author, message };
  return okFrame('receive_message', data);
}

export function roomNotice(text: string): string {
  return receiveMessageFrame(ROOM_AUTHOR, text);
}
