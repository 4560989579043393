import type { MessageId, ReactionCount, RoomId, UserId } from '../../core/types.js';
import type { EventOutbox } from './webhookStore.js';

/**
 * The reactions port: who reacted to which message with which emoji. One row per (message, user, emoji);
 * a message's rows go with it when its room is deleted, a user's with the user (a removed guest).
 */

export interface ReactionKey {
  roomId: RoomId;
  messageId: MessageId;
  userId: UserId;
  emoji: string;
}

export interface NewReaction extends ReactionKey {
  /** The most distinct emoji the message may carry (the app's `maxReactionEmoji`). */
  maxEmoji: number;
  now: number;
}

/**
 * - `added`: the reaction was stored;
 * - `present`: the user had already reacted with this emoji (nothing changed);
 * - `full`: the emoji is new on the message and the message already has `maxEmoji` distinct ones;
 * - `gone`: the message is not in the room, or was deleted.
 */
export type AddOutcome = 'added' | 'present' | 'full' | 'gone';

export interface ReactionStore {
  /**
   * Adds the reaction unless it is there, in one transaction with the checks (the message exists and is not
   * deleted; a new emoji fits under `maxEmoji`), so that concurrent adds on any node never pass the bound.
   * `count`: the users reacting with the emoji afterwards (0 for `full` and `gone`). `outbox`: the
   * `reaction.changed` events, made from the count and written in the same transaction when the reaction was added.
   */
  add(reaction: NewReaction, outbox?: EventOutbox<number>): Promise<{ outcome: AddOutcome; count: number }>;
  /**
   * Removes the reaction if it is there; `count`: the users still reacting with the emoji. `outbox` as for add,
   * written when a reaction was removed.
   */
  remove(key: ReactionKey, outbox?: EventOutbox<number>): Promise<{ removed: boolean; count: number }>;
  /**
   * The reactions of every message given, in one query: per message, by emoji, most used first, then by first
   * use (the oldest remaining reaction). With a reader, each has `me` (whether the reader reacted with it).
   * Messages without reactions are absent from the map.
   */
  summarize(
    messageIds: readonly MessageId[],
    readerId: UserId | null,
  ): Promise<Map<MessageId, ReactionCount[]>>;
}
