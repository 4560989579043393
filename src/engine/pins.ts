import { messageNotFound, staffOnly } from '../core/failures.js';
import { checkMessageId } from '../core/messages.js';
import { PINS_MAX } from '../core/pins.js';
import { isStaff } from '../core/roles.js';
import type { Message, Room, UserId } from '../core/types.js';
import { TOMBSTONE_AUTHOR_ID } from '../core/types.js';
import type { Broadcast } from './broadcast.js';
import type { EngineContext } from './context.js';
import type { MessageDecorator } from './messages.js';
import type { MessageView, PinView } from './events.js';
import { actorRef, type Actor } from './moderation.js';
import type { Moderator } from './moderator.js';
import type { PinRecord } from './ports/store.js';
import { toMessageView, toRoomRef } from './views.js';

function toPinView(pin: PinRecord, roomName: string): PinView {
  return { message: toMessageView(pin.message, roomName), pinnedBy: pin.pinnedBy, pinnedAt: pin.pinnedAt };
}

/** Mods and above pin (and the operator): the same rank that moderates. */
function assertMayPin(actor: Actor): void {
  if (actor.kind === 'user' && !isStaff(actor.user.role)) throw staffOnly();
}

/** The author a record names: none for a system message or a removed guest's tombstone. */
function authorId(message: Pick<Message, 'author'>): number | null {
  return message.author && message.author.id !== TOMBSTONE_AUTHOR_ID ? message.author.id : null;
}

/**
 * Pinned messages: mods and above (and the operator) pin and unpin a room's messages, anyone who may see the
 * room lists them. At most PINS_MAX per room (the store holds the bound atomically). Each change is told to
 * the room (`message_pinned` / `message_unpinned`, across the cluster) and kept in the moderation record.
 * Deleting a message unpins it.
 */
export class Pins {
  constructor(
    private readonly ctx: EngineContext,
    private readonly broadcast: Broadcast,
    private readonly moderator: Moderator,
    /** What every read of messages adds to them (reactions), as for history. */
    private readonly decorators: readonly MessageDecorator[] = [],
  ) {}

  async pin(room: Room, actor: Actor, messageId: unknown): Promise<PinView> {
    assertMayPin(actor);
    const id = checkMessageId(messageId);
    const by = actor.kind === 'user' ? actor.user.id : null;
    const at = this.ctx.clock.now();
    const { pin, added } = await this.ctx.track(
      this.ctx.store.pins.pin({ roomId: room.id, messageId: id, by, at, max: PINS_MAX }),
    );
    const view = toPinView(pin, room.name);
    if (added) await this.announce(room, 'pin', actor, view.message);
    return view;
  }

  /** Unpinning a message that is not pinned changes nothing and tells nobody. */
  async unpin(room: Room, actor: Actor, messageId: unknown): Promise<void> {
    assertMayPin(actor);
    const message = await this.ctx.store.messages.get(room.id, checkMessageId(messageId));
    if (!message) throw messageNotFound();
    if (await this.ctx.track(this.ctx.store.pins.unpin(room.id, message.id))) {
      await this.announce(room, 'unpin', actor, toMessageView(message, room.name));
    }
  }

  async list(room: Room, readerId: UserId | null = null): Promise<PinView[]> {
    const pins = (await this.ctx.store.pins.list(room.id)).map((pin) => toPinView(pin, room.name));
    const views = pins.map((pin) => pin.message);
    for (const decorate of this.decorators) if (views.length > 0) await decorate(views, readerId);
    return pins;
  }

  /**
   * A deleted message is unpinned, by whoever deleted it. The deletion has been committed and told already:
   * should this fail, it is logged, not reported to the deleter (a deleted message is never listed nor counted).
   */
  async messageRemoved(room: Room, message: MessageView, actor: Actor): Promise<void> {
    try {
      if (await this.ctx.track(this.ctx.store.pins.unpin(room.id, message.id))) {
        await this.announce(room, 'unpin', actor, message);
      }
    } catch (err) {
      this.ctx.logger.warn({ err, room: room.id, message: message.id }, 'unpinning a deleted message failed');
    }
  }

  private async announce(
    room: Room,
    kind: 'pin' | 'unpin',
    actor: Actor,
    message: MessageView,
  ): Promise<void> {
    const type = kind === 'pin' ? 'message_pinned' : 'message_unpinned';
    this.broadcast.roomEvent(room, { type, room: toRoomRef(room), message, by: actorRef(actor) });
    await this.moderator.record(room.appId, kind, actor, authorId(message), room.id, {
      messageId: message.id,
      seq: message.seq,
    });
  }
}
