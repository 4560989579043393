import { MAX_MENTIONS, mentionCandidates, mentionExcerpt } from '../core/mentions.js';
import { usernameKey } from '../core/names.js';
import type { AppId, Room, UserId, UserRef } from '../core/types.js';
import type { EngineContext } from './context.js';
import type { EngineEvent, MessageView } from './events.js';
import { refOf, toRoomRef } from './views.js';

/** What the mentions part asks of the others: presence, the room rule, and the broadcast. */
export interface MentionDeps {
  /** Connected to the app, on this node or another. */
  isOnline(appId: AppId, userId: UserId): boolean;
  /** In the room, on this node or another. */
  inRoom(room: Room, userId: UserId): boolean;
  canSee(room: Room, user: UserRef): Promise<boolean>;
  userEvent(appId: AppId, userId: UserId, event: EngineEvent): void;
}

/**
 * Mentions: the `@username`s of a message resolved when it is posted (only existing users of the app, each
 * once, at most MAX_MENTIONS: see core/mentions.ts), and the `mention` event for mentioned users who are online
 * but not in the room and may see it (through the broadcast, so that it reaches them on any node).
 */
export class Mentions {
  constructor(
    private readonly ctx: EngineContext,
    private readonly deps: MentionDeps,
  ) {}

  /** The users the text mentions, in the order of the text; one look-up, none when the text has no `@`. */
  async resolve(appId: AppId, text: string): Promise<UserRef[]> {
    const names = mentionCandidates(text);
    if (names.length === 0) return [];
    const users = await this.ctx.store.reads.findUsersByNames(appId, names);
    const byKey = new Map(users.map((user) => [usernameKey(user.username), user]));
    const mentioned: UserRef[] = [];
    for (const name of names) {
      const user = byKey.get(usernameKey(name));
      if (user) mentioned.push(refOf(user));
      if (mentioned.length === MAX_MENTIONS) break;
    }
    return mentioned;
  }

  /** After the message was committed and fanned out; never fails the send (failures are logged). */
  notify(room: Room, message: MessageView): void {
    const author = message.author;
    if (message.mentions.length === 0 || author === null) return;
    this.tell(room, message, author).catch((err: unknown) =>
      this.ctx.logger.warn({ err, roomId: room.id }, 'telling mentioned users failed'),
    );
  }

  private async tell(room: Room, message: MessageView, author: UserRef): Promise<void> {
    const event: EngineEvent = {
      type: 'mention',
      room: toRoomRef(room),
      messageId: message.id,
      author,
      excerpt: mentionExcerpt(message.text),
    };
    for (const user of message.mentions) {
      if (user.id === author.id || !this.deps.isOnline(room.appId, user.id)) continue;
      if (this.deps.inRoom(room, user.id) || !(await this.deps.canSee(room, user))) continue;
      this.deps.userEvent(room.appId, user.id, event);
    }
  }
}
