/**
 * The server events of the native protocol: what a server pushes unasked, as `{ event, data }` on WebSocket and
 * as the socket.io event `event` with `data` as its argument.
 */
import type { MessageView, RoomRef, RoomView, UserRef } from './views.js';

/** Every server event name, in the order docs/protocol.md lists them. */
export const NATIVE_EVENTS = [
  'message',
  'message_edited',
  'message_deleted',
  'presence_join',
  'presence_leave',
  'typing',
  'room_created',
  'room_updated',
  'room_deleted',
  'muted',
  'unmuted',
  'banned',
  'unbanned',
  'kicked',
  'system',
  'gap',
  'online_changed',
  'message_pinned',
  'message_unpinned',
  'reaction_changed',
  'mention',
  'read',
  'read_receipt',
  'block_changed',
  'dm_message',
  'user_renamed',
  'profile_changed',
  'message_hidden',
  'report_created',
  'shadow_muted',
  'shadow_unmuted',
  'slow_mode_changed',
  'warning',
  'message_preview',
  'command',
] as const;

export type NativeEventName = (typeof NATIVE_EVENTS)[number];

/** The data of each server event. */
export interface NativeEventMap {
  /**
   * `released`: a message held for review or hidden after reports that a moderator made visible; its seq is
   * older than the room's newest: insert it in seq order (it is not a gap, and the room's last seq stays).
   */
  message: { room: RoomRef; message: MessageView; released?: true };
  message_edited: { room: RoomRef; message: MessageView };
  message_deleted: { room: RoomRef; message: MessageView };
  presence_join: { room: RoomRef; user: UserRef };
  presence_leave: { room: RoomRef; user: UserRef };
  typing: { room: RoomRef; user: UserRef; typing: boolean };
  room_created: { room: RoomView };
  room_updated: { room: RoomView };
  room_deleted: { room: RoomRef };
  /** `room` null: a mute in the whole app. `minutes` and `expiresAt` null: until unmuted. */
  muted: {
    room: RoomRef | null;
    user: UserRef;
    by: UserRef | null;
    minutes: number | null;
    expiresAt: number | null;
    reason: string;
  };
  unmuted: { room: RoomRef | null; user: UserRef; by: UserRef | null };
  banned: { user: UserRef; by: UserRef | null; expiresAt: number | null; reason: string };
  unbanned: { user: UserRef; by: UserRef | null };
  kicked: { user: UserRef; by: UserRef | null; reason: string };
  system: { room: RoomRef | null; text: string };
  /** Messages with afterSeq < seq < beforeSeq were not delivered. */
  gap: { room: RoomRef; afterSeq: number; beforeSeq: number };
  /**
   * App-wide presence, batched: users whose first connection to the app opened (`online`) and users whose last
   * connection closed (`offline`, after the presence grace period) since the last such event. A user is in at
   * most one of the two lists; apply `offline` then `online` to the set `watch_online` answered.
   */
  online_changed: { online: UserRef[]; offline: UserRef[] };
  /** A moderator (`by`; null for the operator) pinned a message of the room. */
  message_pinned: { room: RoomRef; message: MessageView; by: UserRef | null };
  /** Unpinned, by a moderator or the operator, or by whoever deleted the message. */
  message_unpinned: { room: RoomRef; message: MessageView; by: UserRef | null };
  /**
   * A user added (`added: true`) or took back a reaction on a message of the room; `count`: how many users now
   * react with the emoji. Only real changes are told (adding twice or removing what is not there is silent).
   */
  reaction_changed: {
    room: RoomRef;
    messageId: number;
    emoji: string;
    count: number;
    user: UserRef;
    added: boolean;
  };
  /** You were mentioned in a room you may see but are not in (`excerpt`: the message's first 100 characters). */
  mention: { room: RoomRef; messageId: number; author: UserRef; excerpt: string };
  /** Your read marker in the room moved to `seq` (by another connection of yours). */
  read: { room: RoomRef; seq: number };
  /** Read receipts (where the app has them): `user` has read the room up to `seq`. */
  read_receipt: { room: RoomRef; user: UserRef; seq: number };
  /** To the blocker's own connections: `user` was blocked (`blocked: true`) or unblocked. */
  block_changed: { user: UserRef; blocked: boolean };
  /** A new message in one of your DMs, while you are not in that room (its unread count went up by one). */
  dm_message: { room: RoomRef; message: MessageView };
  /**
   * A guest in the room became a user without reconnecting (`upgrade`): replace `from` by `to` where you list
   * who is present (drop `from` when `to` is listed already). No `presence_leave` / `presence_join` comes.
   */
  user_renamed: { room: RoomRef; from: UserRef; to: UserRef };
  /** `user` changed their profile: to their own connections and to those in a room where they are. */
  profile_changed: { user: UserRef };
  /**
   * Reports hid the message until a moderator decides: drop it from view (its author and staff still see it,
   * marked `visibility: 'hidden'`, in history). A dismissal brings it back as a `message` with `released`.
   */
  message_hidden: { room: RoomRef; messageId: number; seq: number };
  /** Staff only: a message entered the moderation queue (`reason` 'held': held for review) or was reported again. */
  report_created: {
    room: RoomRef;
    messageId: number;
    reporters: number;
    reason: 'spam' | 'abuse' | 'other' | 'held';
  };
  /** Staff only: `user` was shadow-muted (never told to the user). */
  shadow_muted: { user: UserRef; by: UserRef | null; expiresAt: number | null; reason: string };
  /** Staff only: the shadow mute of `user` was lifted. */
  shadow_unmuted: { user: UserRef; by: UserRef | null };
  /** A moderator (`by`; null for the operator) set the room's slow mode to `seconds` (0: off). */
  slow_mode_changed: { room: RoomRef; seconds: number; by: UserRef | null };
  /**
   * To your own connections: the app's escalation gave you a warning (`reason` says why, `source` what kind of
   * strike: `filter`, `flood` or `report`; `strikes`: how many of yours count now). More strikes mute, then ban.
   */
  warning: { reason: string; source: 'filter' | 'flood' | 'report'; strikes: number };
  /**
   * The message's first link has a preview now (docs/link-previews.md): `message.preview` holds it; show it
   * under the message. Its image is the page's own URL: load it without a referrer.
   */
  message_preview: { room: RoomRef; message: MessageView };
  /**
   * Bots only: `user` typed `/command args` in `room`, a command this bot registered and has no endpoint for.
   * Answer by sending in the room (join it first); `id` is unique to this command (docs/bots.md).
   */
  command: { id: string; room: RoomRef; command: string; args: string; user: UserRef };
}

export type NativeEventData<E extends NativeEventName> = NativeEventMap[E];

/** One pushed event as it travels on WebSocket: the event's name and its data. */
export interface WsPushFrame<E extends NativeEventName = NativeEventName> {
  event: E;
  data: NativeEventData<E>;
}

/** Every server push, as a union a `switch (push.event)` narrows. */
export type ServerEvent = { [E in NativeEventName]: WsPushFrame<E> }[NativeEventName];
