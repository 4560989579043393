import {
  banned,
  guestReadOnly,
  messageDeleted,
  messageNotFound,
  tooManyReactions,
} from '../core/failures.js';
import type { ParleyError } from '../core/errors.js';
import { checkMessageId } from '../core/messages.js';
import { checkEmoji } from '../core/reactions.js';
import type { App, AppId, Room, User, UserId, UserRef } from '../core/types.js';
import type { ReactionInput, ReactionResult } from './api.js';
import type { Broadcast } from './broadcast.js';
import type { EngineContext } from './context.js';
import type { MessageView } from './events.js';
import type { ModerationCache } from './moderationCache.js';
import type { WebhookEvents } from './webhookEvents.js';
import { refOf, toRoomRef } from './views.js';

/** What the reactions part looks up for the operator's calls (the catalog). */
export interface ReactionLookups {
  getApp(appId: AppId): Promise<App>;
  findRoom(appId: AppId, name: unknown): Promise<Room>;
  findUser(appId: AppId, username: unknown): Promise<User>;
}

/**
 * Reactions: one emoji per reaction, at most the app's `maxReactionEmoji` distinct emoji a message, each
 * user's reaction counted once. Who may react is who may send (no ban, guests only where guests write, no mute
 * unless staff), on a message that is not deleted; every change is told to the room as `reaction_changed`.
 * Messages read back get their counts here (fill), one query per page.
 */
export class Reactions {
  constructor(
    private readonly ctx: EngineContext,
    private readonly moderation: ModerationCache,
    private readonly broadcast: Broadcast,
    private readonly lookups: ReactionLookups,
    private readonly events?: Pick<WebhookEvents, 'reaction' | 'queued'>,
  ) {}

  react(app: App, room: Room, user: UserRef, messageId: unknown, emoji: unknown): Promise<ReactionResult> {
    return this.change(app, room, user, messageId, emoji, true);
  }

  unreact(app: App, room: Room, user: UserRef, messageId: unknown, emoji: unknown): Promise<ReactionResult> {
    return this.change(app, room, user, messageId, emoji, false);
  }

  /** The operator's call (HTTP API): `username` must name an existing user, who needs no join. */
  async forUser(
    appId: AppId,
    roomName: string,
    messageId: number,
    input: ReactionInput,
    add: boolean,
  ): Promise<ReactionResult> {
    const app = await this.lookups.getApp(appId);
    const room = await this.lookups.findRoom(appId, roomName);
    const user = refOf(await this.lookups.findUser(appId, input.username));
    return this.change(app, room, user, messageId, input.emoji, add);
  }

  private async change(
    app: App,
    room: Room,
    user: UserRef,
    rawId: unknown,
    rawEmoji: unknown,
    add: boolean,
  ): Promise<ReactionResult> {
    const now = this.ctx.clock.now();
    const messageId = checkMessageId(rawId);
    const emoji = checkEmoji(rawEmoji);
    if (await this.moderation.activeBan(app.id, user.id, now)) throw banned();
    if (user.role === 'guest' && !app.settings.guestsCanWrite) throw guestReadOnly();
    await this.moderation.refuseMuted(app.id, user, room.id, now);
    const key = { roomId: room.id, messageId, userId: user.id, emoji };
    const store = this.ctx.store.reactions;
    let changed: boolean;
    let count: number;
    if (!add) {
      const reason = await this.whyGone(room, messageId);
      if (reason) throw reason;
    }
    // `reaction.changed` goes in the change's transaction, when an endpoint wants it.
    const outbox = await this.events?.reaction(room, user, messageId, emoji, add);
    if (add) {
      // The add checks in its transaction that the message is there and not deleted: the message is read
      // only when it is not, to tell which.
      const max = app.settings.maxReactionEmoji;
      const added = await this.ctx.track(store.add({ ...key, maxEmoji: max, now }, outbox));
      if (added.outcome === 'gone') throw (await this.whyGone(room, messageId)) ?? messageDeleted();
      if (added.outcome === 'full') throw tooManyReactions(max);
      changed = added.outcome === 'added';
      count = added.count;
    } else {
      const removed = await this.ctx.track(store.remove(key, outbox));
      changed = removed.removed;
      count = removed.count;
    }
    if (changed && outbox) this.events?.queued();
    if (changed) {
      this.broadcast.roomEvent(room, {
        type: 'reaction_changed',
        room: toRoomRef(room),
        messageId,
        emoji,
        count,
        user: { id: user.id, username: user.username, role: user.role },
        added: add,
      });
    }
    const reactions = (await store.summarize([messageId], user.id)).get(messageId) ?? [];
    return { messageId, emoji, count, changed, reactions };
  }

  /** Why a message takes no reaction: not in the room (`not_found`) or deleted; null when it does. */
  private async whyGone(room: Room, messageId: number): Promise<ParleyError | null> {
    const message = await this.ctx.store.messages.get(room.id, messageId);
    if (!message) return messageNotFound();
    return message.deletedAt !== null ? messageDeleted() : null;
  }

  /**
   * Sets `reactions` on messages read back, in one query for all of them: with `me` for a reader (a join's
   * replay, a history page asked by a user), without for everyone (broadcasts, the operator's history). A
   * deleted message shows none.
   */
  async fill(views: MessageView[], readerId: UserId | null): Promise<void> {
    const live = views.filter((view) => view.deletedAt === null);
    if (live.length === 0) return;
    const counts = await this.ctx.store.reactions.summarize(
      live.map((view) => view.id),
      readerId,
    );
    for (const view of live) view.reactions = counts.get(view.id) ?? [];
  }
}
