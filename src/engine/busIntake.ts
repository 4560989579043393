import { z } from 'zod';
import { ROLES } from '../core/roles.js';
import type { EngineEvent } from './events.js';
import { BUS_VERSION, type BusMessage } from './ports/bus.js';

/**
 * The shape of every bus message, checked when it arrives: a node never acts on a message it cannot read,
 * whatever another node (of another release, or a bug) or a stray publisher put on the channel. Objects are
 * strict in what the engine reads and pass the rest through untouched, as events are handed to clients as
 * they are.
 */
const id = z.number().int().nonnegative();
const seq = z.number().int().nonnegative();
const at = z.number();
const userRef = z.object({
  id,
  username: z.string(),
  role: z.enum(ROLES),
  displayName: z.string().optional(),
  avatarUrl: z.string().optional(),
  bot: z.literal(true).optional(),
});
const roomRef = z.object({ id, name: z.string() });
const roomView = roomRef.extend({
  visibility: z.enum(['public', 'private']),
  topic: z.string(),
  createdAt: at,
  lastSeq: seq,
  online: z.number().int().nonnegative(),
  createdBy: id.nullable(),
  unread: z.number().int().nonnegative().optional(),
  unreadMentions: z.number().int().nonnegative().optional(),
  dm: z.literal(true).optional(),
  slowModeSeconds: z.number().int().positive().optional(),
});
const messageView = z.object({
  id,
  room: z.string(),
  roomId: id,
  seq,
  kind: z.enum(['text', 'me', 'system']),
  author: userRef.nullable(),
  text: z.string(),
  html: z.string(),
  clientMsgId: z.string().nullable(),
  createdAt: at,
  editedAt: at.nullable(),
  deletedAt: at.nullable(),
  replyTo: z.object({ id, author: userRef.nullable(), excerpt: z.string(), deleted: z.boolean() }).nullable(),
  replyCount: z.number().int().nonnegative(),
  reactions: z.array(
    z.object({ emoji: z.string(), count: z.number().int().nonnegative(), me: z.boolean().optional() }),
  ),
  mentions: z.array(userRef),
  visibility: z.enum(['held', 'hidden', 'shadow']).optional(),
  preview: z
    .object({
      url: z.string(),
      title: z.string().optional(),
      description: z.string().optional(),
      siteName: z.string().optional(),
      imageUrl: z.string().optional(),
    })
    .optional(),
});

/** Who was banned or shadow-muted, by whom, until when and why. */
const sanction = { user: userRef, by: userRef.nullable(), expiresAt: at.nullable(), reason: z.string() };

const event = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message'),
    room: roomRef,
    message: messageView,
    released: z.literal(true).optional(),
  }),
  z.object({ type: z.literal('message_edited'), room: roomRef, message: messageView }),
  z.object({ type: z.literal('message_deleted'), room: roomRef, message: messageView }),
  z.object({ type: z.literal('presence_join'), room: roomRef, user: userRef }),
  z.object({ type: z.literal('presence_leave'), room: roomRef, user: userRef }),
  z.object({ type: z.literal('typing'), room: roomRef, user: userRef, typing: z.boolean() }),
  z.object({ type: z.literal('room_created'), room: roomView }),
  z.object({ type: z.literal('room_updated'), room: roomView }),
  z.object({ type: z.literal('room_deleted'), room: roomRef }),
  z.object({
    type: z.literal('muted'),
    room: roomRef.nullable(),
    user: userRef,
    by: userRef.nullable(),
    minutes: z.number().nullable(),
    expiresAt: at.nullable(),
    reason: z.string(),
  }),
  z.object({ type: z.literal('unmuted'), room: roomRef.nullable(), user: userRef, by: userRef.nullable() }),
  z.object({ type: z.literal('banned'), ...sanction }),
  z.object({ type: z.literal('unbanned'), user: userRef, by: userRef.nullable() }),
  z.object({ type: z.literal('kicked'), user: userRef, by: userRef.nullable(), reason: z.string() }),
  z.object({ type: z.literal('system'), room: roomRef.nullable(), text: z.string() }),
  z.object({ type: z.literal('online_changed'), online: z.array(userRef), offline: z.array(userRef) }),
  z.object({ type: z.literal('gap'), room: roomRef, afterSeq: seq, beforeSeq: seq }),
  z.object({
    type: z.literal('message_pinned'),
    room: roomRef,
    message: messageView,
    by: userRef.nullable(),
  }),
  z.object({
    type: z.literal('message_unpinned'),
    room: roomRef,
    message: messageView,
    by: userRef.nullable(),
  }),
  z.object({
    type: z.literal('reaction_changed'),
    room: roomRef,
    messageId: id,
    emoji: z.string(),
    count: z.number().int().nonnegative(),
    user: userRef,
    added: z.boolean(),
  }),
  z.object({
    type: z.literal('mention'),
    room: roomRef,
    messageId: id,
    author: userRef,
    excerpt: z.string(),
  }),
  z.object({ type: z.literal('read'), room: roomRef, seq }),
  z.object({ type: z.literal('read_receipt'), room: roomRef, user: userRef, seq }),
  z.object({ type: z.literal('block_changed'), user: userRef, blocked: z.boolean() }),
  z.object({ type: z.literal('dm_message'), room: roomRef, message: messageView }),
  z.object({ type: z.literal('user_renamed'), room: roomRef, from: userRef, to: userRef }),
  z.object({ type: z.literal('profile_changed'), user: userRef }),
  z.object({ type: z.literal('message_hidden'), room: roomRef, messageId: id, seq }),
  z.object({
    type: z.literal('report_created'),
    room: roomRef,
    messageId: id,
    reporters: z.number().int().nonnegative(),
    reason: z.enum(['spam', 'abuse', 'other', 'held']),
  }),
  z.object({ type: z.literal('shadow_muted'), ...sanction }),
  z.object({ type: z.literal('shadow_unmuted'), user: userRef, by: userRef.nullable() }),
  z.object({
    type: z.literal('slow_mode_changed'),
    room: roomRef,
    seconds: z.number().int().nonnegative(),
    by: userRef.nullable(),
  }),
  z.object({
    type: z.literal('warning'),
    reason: z.string(),
    source: z.enum(['filter', 'flood', 'report']),
    strikes: z.number().int().positive(),
  }),
  z.object({ type: z.literal('message_preview'), room: roomRef, message: messageView }),
  z.object({
    type: z.literal('command'),
    id: z.string(),
    room: roomRef,
    command: z.string(),
    args: z.string(),
    user: userRef,
  }),
]);

const presenceEntry = z.object({
  appId: id,
  roomId: id.nullable(),
  roomName: z.string().nullable(),
  user: userRef,
});

const envelope = { v: z.literal(BUS_VERSION), origin: z.string().min(1) };

const busMessage = z.discriminatedUnion('type', [
  z.object({ ...envelope, type: z.literal('room_event'), appId: id, roomId: id, event, seq: seq.optional() }),
  z.object({ ...envelope, type: z.literal('app_event'), appId: id, event, audience: z.array(id).optional() }),
  z.object({ ...envelope, type: z.literal('user_event'), appId: id, userId: id, event }),
  z.object({ ...envelope, type: z.literal('staff_event'), appId: id, event }),
  z.object({
    ...envelope,
    type: z.literal('disconnect_user'),
    appId: id,
    userId: id,
    reason: z.enum(['kicked', 'banned', 'logout', 'revoked']),
  }),
  z.object({
    ...envelope,
    type: z.literal('token_revoked'),
    appId: id,
    userId: id,
    tokenId: z.string().min(1).max(64),
  }),
  z.object({ ...envelope, type: z.literal('app_changed'), appId: id }),
  z.object({ ...envelope, type: z.literal('role_changed'), appId: id, userId: id, role: z.enum(ROLES) }),
  z.object({ ...envelope, type: z.literal('profile_changed'), appId: id, user: userRef }),
  z.object({ ...envelope, type: z.literal('presence'), entry: presenceEntry, online: z.boolean() }),
  z.object({ ...envelope, type: z.literal('node_alive') }),
  z.object({ ...envelope, type: z.literal('node_leaving') }),
  z.object({ ...envelope, type: z.literal('hello') }),
  z.object({
    ...envelope,
    type: z.literal('presence_snapshot'),
    to: z.string().nullable(),
    entries: z.array(presenceEntry),
  }),
  z.object({ ...envelope, type: z.literal('resync') }),
]);

// The schema and the port's types must not drift apart: this fails to compile when they do.
const _eventsAgree: z.ZodType<EngineEvent> = event;
const _messagesAgree: z.ZodType<BusMessage> = busMessage;
void _eventsAgree;
void _messagesAgree;

export type Intake = { ok: true; message: BusMessage } | { ok: false; problem: string };

/** Checks one message from the bus; answers what is wrong with it when it is not one this node can read. */
export function readBusMessage(raw: unknown): Intake {
  const parsed = busMessage.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return { ok: false, problem: `${issue?.message ?? 'invalid'}${where}` };
}
