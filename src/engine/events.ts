import type { QueueReason } from '../core/reports.js';
import type { StrikeSource } from '../core/escalation.js';
import type { Room, UserRef } from '../core/types.js';

/** A room as clients see it. `online` counts users (not connections) present on this node's view. */
export interface RoomView {
  id: number;
  name: string;
  visibility: Room['visibility'];
  topic: string;
  createdAt: number;
  lastSeq: number;
  online: number;
  createdBy: number | null;
  /** For the reader, in rooms.list and join: messages after their read marker (see readState.ts). */
  unread?: number;
  /** For the reader: those of the unread messages that mention them. */
  unreadMentions?: number;
  /** Present (true) on a direct-message room only (its name is `dm:<low id>:<high id>`). */
  dm?: true;
  /** Seconds between two messages of one user below mod (core/slowMode.ts); present only when slow mode is on. */
  slowModeSeconds?: number;
  /** The room's own retention in days (null: forever); absent: the app's. */
  retentionDays?: number | null;
}

// Moved to core (the store's message writer builds webhook bodies from them); re-exported for the rest.
export type { MessageView, RoomRef } from '../core/messageView.js';
import type { MessageView, RoomRef } from '../core/messageView.js';

/** A pinned message with who pinned it (null: the operator, or a user since removed) and when. */
export interface PinView {
  message: MessageView;
  pinnedBy: UserRef | null;
  pinnedAt: number;
}

/**
 * What the engine pushes to sessions. One object per happening: gateways encode it once per framing (see
 * src/gateways/encodeOnce.ts) however many sessions receive it.
 */
export type EngineEvent =
  /**
   * `released`: a message held or hidden until now, made visible by a moderator (reports.ts); its seq is older
   * than the room's newest, so it is handed to every subscriber as it is, not in seq order.
   */
  | { type: 'message'; room: RoomRef; message: MessageView; released?: true }
  | { type: 'message_edited'; room: RoomRef; message: MessageView }
  | { type: 'message_deleted'; room: RoomRef; message: MessageView }
  | { type: 'presence_join'; room: RoomRef; user: UserRef }
  | { type: 'presence_leave'; room: RoomRef; user: UserRef }
  | { type: 'typing'; room: RoomRef; user: UserRef; typing: boolean }
  | { type: 'room_created'; room: RoomView }
  | { type: 'room_updated'; room: RoomView }
  | { type: 'room_deleted'; room: RoomRef }
  | {
      type: 'muted';
      room: RoomRef | null;
      user: UserRef;
      by: UserRef | null;
      minutes: number | null;
      expiresAt: number | null;
      reason: string;
    }
  | { type: 'unmuted'; room: RoomRef | null; user: UserRef; by: UserRef | null }
  | { type: 'banned'; user: UserRef; by: UserRef | null; expiresAt: number | null; reason: string }
  | { type: 'unbanned'; user: UserRef; by: UserRef | null }
  | { type: 'kicked'; user: UserRef; by: UserRef | null; reason: string }
  | { type: 'system'; room: RoomRef | null; text: string }
  /**
   * App-wide presence, coalesced (see onlineBatcher.ts): users whose first connection to the app opened, and
   * users whose last one closed (after the presence grace period), since the last such event.
   */
  | { type: 'online_changed'; online: UserRef[]; offline: UserRef[] }
  | { type: 'gap'; room: RoomRef; afterSeq: number; beforeSeq: number }
  /** A moderator (`by`; null for the operator) pinned or unpinned a message of the room. */
  | { type: 'message_pinned'; room: RoomRef; message: MessageView; by: UserRef | null }
  | { type: 'message_unpinned'; room: RoomRef; message: MessageView; by: UserRef | null }
  /** A user added (`added`) or removed a reaction; `count`: how many users now react with the emoji. */
  | {
      type: 'reaction_changed';
      room: RoomRef;
      messageId: number;
      emoji: string;
      count: number;
      user: UserRef;
      added: boolean;
    }
  /** To a mentioned user who is online, outside the room, and may see it. */
  | { type: 'mention'; room: RoomRef; messageId: number; author: UserRef; excerpt: string }
  /** To every connection of a user whose read marker in the room moved (to `seq`). */
  | { type: 'read'; room: RoomRef; seq: number }
  /** To the room, where the app has read receipts and the room is small enough: a reader's marker moved. */
  | { type: 'read_receipt'; room: RoomRef; user: UserRef; seq: number }
  /** To the other member of a DM, online and not in the room: a new message there (dmNotices.ts). */
  | { type: 'dm_message'; room: RoomRef; message: MessageView }
  /** To the blocker's own sessions: `user` was blocked (or unblocked); see dms.ts. */
  | { type: 'block_changed'; user: UserRef; blocked: boolean }
  /** To the room: a guest there became a user in place (upgrade.ts); `from` is gone, `to` is present. */
  | { type: 'user_renamed'; room: RoomRef; from: UserRef; to: UserRef }
  /** `user` changed their profile: to their own sessions and to those in a room where they are (profiles.ts). */
  | { type: 'profile_changed'; user: UserRef }
  /** To the room: reports hid the message until a moderator decides (reports.ts); clients drop it from view. */
  | { type: 'message_hidden'; room: RoomRef; messageId: number; seq: number }
  /** To staff sessions of the app: a message entered the moderation queue or was reported again. */
  | { type: 'report_created'; room: RoomRef; messageId: number; reporters: number; reason: QueueReason }
  /** To staff sessions of the app: a user was shadow-muted (shadowMutes.ts); never to the user. */
  | { type: 'shadow_muted'; user: UserRef; by: UserRef | null; expiresAt: number | null; reason: string }
  | { type: 'shadow_unmuted'; user: UserRef; by: UserRef | null }
  /** To the room: a moderator (`by`; null for the operator) set its slow mode (`seconds`, 0: off). */
  | { type: 'slow_mode_changed'; room: RoomRef; seconds: number; by: UserRef | null }
  /** To the user's own sessions: the escalation ladder's warning step (strikes.ts); `strikes`: how many count. */
  | { type: 'warning'; reason: string; source: StrikeSource; strikes: number }
  /** To the room: the message's first link has a preview now (linkPreviews.ts); `message.preview` holds it. */
  | { type: 'message_preview'; room: RoomRef; message: MessageView }
  /** To a bot's own sessions: `user` typed `/command args` in `room`, a command the bot registered (botCommands.ts). */
  | { type: 'command'; id: string; room: RoomRef; command: string; args: string; user: UserRef };

export type EngineEventType = EngineEvent['type'];
