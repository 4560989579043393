/**
 * The numeric dialect's frames: what a client may send (validated with strict zod objects and bounded strings)
 * and what the server sends back. Every frame is a JSON object with an integer `type`.
 */
import { z } from 'zod';
import { CHANNEL_RULE, isChannel, isMessageText, MESSAGE_RULE, secondsOf, stripChannel } from './rules.js';
import { ownField, readJsonObject } from '../kernel/jsonFrame.js';

/** Action types of the document, plus 7 (/me actions) of later versions. */
export const TYPE = {
  error: -1,
  message: 0,
  register: 1,
  login: 2,
  logout: 3,
  join: 4,
  leave: 5,
  list: 6,
  action: 7,
} as const;

// ------------------------------------------------------------------------------------------ client → server

/** What a valid client frame asks for. Channel names are already `#`-stripped and checked. */
export type Command =
  | { kind: 'message'; action: boolean; channel: string; text: string }
  | { kind: 'login'; user: string | null }
  | { kind: 'logout'; user: string | null }
  | { kind: 'join'; channel: string }
  | { kind: 'leave'; channel: string }
  | { kind: 'list'; channel: string | null };

export type ParsedFrame = { ok: true; command: Command } | { ok: false; message: string };

/** Longest raw strings looked at; longer ones are refused with the field's rule before any other work. */
const RAW_CHANNEL_MAX = 256;
const RAW_MESSAGE_MAX = 16 * 1024;
const RAW_USER_MAX = 64;

function stringField(name: string) {
  return z.string({
    error: (issue) =>
      issue.input === undefined ? `Missing field "${name}".` : `Field "${name}" must be a string.`,
  });
}

function channelField(name: string) {
  return stringField(name)
    .max(RAW_CHANNEL_MAX, { error: CHANNEL_RULE })
    .transform(stripChannel)
    .refine(isChannel, { error: CHANNEL_RULE });
}

const messageField = stringField('message')
  .max(RAW_MESSAGE_MAX, { error: MESSAGE_RULE })
  .refine(isMessageText, { error: MESSAGE_RULE })
  .transform((text) => text.trim());

const userField = stringField('user').max(RAW_USER_MAX, { error: 'Field "user" is too long.' });

/** Type 0 and 7: the document's `dest`; later versions' clients sent `channel`, which is taken as well. */
function messageSchema(type: 0 | 7) {
  return z
    .strictObject({
      type: z.literal(type),
      dest: channelField('dest').optional(),
      channel: channelField('channel').optional(),
      message: messageField,
    })
    .superRefine((frame, ctx) => {
      if (frame.dest === undefined && frame.channel === undefined)
        ctx.addIssue({ code: 'custom', message: 'Missing field "dest".' });
      else if (frame.dest !== undefined && frame.channel !== undefined)
        ctx.addIssue({ code: 'custom', message: 'Give "dest" or "channel", not both.' });
    })
    .transform((frame): Command => ({
      kind: 'message',
      action: type === TYPE.action,
      channel: frame.dest ?? frame.channel ?? '',
      text: frame.message,
    }));
}

const SCHEMAS = new Map<number, z.ZodType<Command>>([
  [TYPE.message, messageSchema(TYPE.message)],
  [TYPE.action, messageSchema(TYPE.action)],
  [
    TYPE.login,
    z
      .strictObject({ type: z.literal(TYPE.login), user: userField.optional() })
      .transform((f): Command => ({ kind: 'login', user: f.user ?? null })),
  ],
  [
    TYPE.logout,
    z
      .strictObject({ type: z.literal(TYPE.logout), user: userField.optional() })
      .transform((f): Command => ({ kind: 'logout', user: f.user ?? null })),
  ],
  [
    TYPE.join,
    z
      .strictObject({ type: z.literal(TYPE.join), channel: channelField('channel') })
      .transform((f): Command => ({ kind: 'join', channel: f.channel })),
  ],
  [
    TYPE.leave,
    z
      .strictObject({ type: z.literal(TYPE.leave), channel: channelField('channel') })
      .transform((f): Command => ({ kind: 'leave', channel: f.channel })),
  ],
  [
    TYPE.list,
    z
      .strictObject({ type: z.literal(TYPE.list), channel: channelField('channel').optional() })
      .transform((f): Command => ({ kind: 'list', channel: f.channel ?? null })),
  ],
]);

function issueText(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'Invalid frame.';
  if (issue.code === 'unrecognized_keys') return `Unknown field "${(issue.keys[0] ?? '').slice(0, 64)}".`;
  return issue.message;
}

/** Reads one text frame; never throws. */
export function parseClientFrame(raw: string): ParsedFrame {
  const read = readJsonObject(raw);
  if (!read.ok) {
    const message =
      read.failure === 'not_json' ? 'Invalid JSON.' : 'The frame must be a JSON object with a "type".';
    return { ok: false, message };
  }
  const value = read.value;
  const type = ownField(value, 'type');
  if (type === undefined) return { ok: false, message: 'Missing field "type".' };
  if (typeof type !== 'number' || !Number.isSafeInteger(type)) {
    return { ok: false, message: 'Field "type" must be an integer.' };
  }
  if (type === TYPE.register) {
    return { ok: false, message: 'Registration is not supported: log in with a nickname in the URL.' };
  }
  const schema = SCHEMAS.get(type);
  if (!schema) return { ok: false, message: `Unknown type ${type}.` };
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { ok: false, message: issueText(parsed.error.issues[0]) };
  return { ok: true, command: parsed.data };
}

// ------------------------------------------------------------------------------------------ server → client

/** Every server frame carries `time`: seconds since the epoch (a float, as later versions sent). */
export type ServerFrame =
  | { type: -1; time: number; message: string }
  | {
      type: 0 | 7;
      time: number;
      dest: string;
      message: string;
      user: string;
      history?: true;
    }
  | { type: 2 | 3; time: number; user: string }
  | { type: 4 | 5; time: number; channel: string; user: string }
  | { type: 6; time: number; users: string[]; channel?: string };

export function encodeFrame(frame: ServerFrame): string {
  return JSON.stringify(frame);
}

function now(): number {
  return secondsOf(Date.now());
}

export function errorFrame(message: string): string {
  return encodeFrame({ type: TYPE.error, time: now(), message });
}

export function userFrame(type: 2 | 3, user: string): string {
  return encodeFrame({ type, time: now(), user });
}

export function channelFrame(type: 4 | 5, channel: string, user: string): string {
  return encodeFrame({ type, time: now(), channel, user });
}

export function listFrame(users: string[], channel: string | null): string {
  return encodeFrame(
    channel === null
      ? { type: TYPE.list, time: now(), users }
      : { type: TYPE.list, time: now(), users, channel },
  );
}
