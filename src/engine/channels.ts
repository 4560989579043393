import type { Room, UserRef } from '../core/types.js';
import type { EngineContext } from './context.js';
import type { EngineEvent, MessageView, RoomView } from './events.js';
import { RoomChannel, type Subscriber } from './roomChannel.js';
import { toMessageView, toRoomRef } from './views.js';

/** How a channel's local presence changes reach the cluster (the presence part listens). */
export type ChannelPresence = (
  channel: RoomChannel,
  user: UserRef,
  present: boolean,
  except?: Subscriber,
) => void;

/**
 * The live channels of the rooms someone on this node has joined: created on first join, dropped when the
 * last subscriber is gone, the room deleted or the node stopped.
 */
export class Channels {
  private readonly channels = new Map<number, RoomChannel>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly onPresence: ChannelPresence,
  ) {}

  get size(): number {
    return this.channels.size;
  }

  get(roomId: number): RoomChannel | undefined {
    return this.channels.get(roomId);
  }

  /** The room's channel, created and loaded (its last seq read) on first use. */
  async open(room: Room): Promise<RoomChannel> {
    let channel = this.channels.get(room.id);
    if (!channel) {
      const created = this.create(room);
      channel = created;
      this.channels.set(room.id, created);
      created.ready.catch(() => {
        if (this.channels.get(room.id) === created) this.channels.delete(room.id);
      });
    }
    await channel.ready;
    return channel;
  }

  private create(room: Room): RoomChannel {
    const { store, config, metrics, logger } = this.ctx;
    const created: RoomChannel = new RoomChannel(
      room,
      {
        presenceGraceMs: config.presenceGraceMs,
        onPresence: this.onPresence,
        backfillDelayMs: config.backfillDelayMs,
        loadAfter: async (roomId: number, afterSeq: number, limit: number): Promise<MessageView[]> => {
          const messages = await store.messages.range(roomId, { afterSeq, limit });
          return messages.map((m) => toMessageView(m, created.room.name));
        },
        onEmpty: (c) => {
          if (this.channels.get(c.room.id) === c) this.channels.delete(c.room.id);
        },
        onDelivered: (count) => metrics.messagesOut(count),
        logError: (err) => logger.error({ err, roomId: room.id }, 'room backfill failed'),
      },
      store.messages.lastSeq(room.id),
    );
    return created;
  }

  /** A room's name, visibility, topic or slow mode changed (here or on another node). */
  renamed(view: RoomView): void {
    const channel = this.channels.get(view.id);
    if (!channel) return;
    const { name, visibility, topic } = view;
    channel.room = { ...channel.room, name, visibility, topic, slowModeSeconds: view.slowModeSeconds ?? 0 };
  }

  /** The room is gone: every subscriber forgets it, without events (they hear `room_deleted` by the app). */
  drop(roomId: number): void {
    const channel = this.channels.get(roomId);
    if (!channel) return;
    for (const subscriber of [...channel.subscribers]) subscriber.forgetRoom(roomId);
    channel.clear();
    this.channels.delete(roomId);
  }

  /**
   * The room became private: subscribers who may not see it stop receiving at once. To them a private room
   * does not exist, so they are told what every protocol already understands for a room that is gone:
   * `room_deleted`, for that room, to them only. Their session forgets the room, so that a later send or
   * typing answers as for a room they never joined.
   */
  restrict(roomId: number, maySee: (user: UserRef) => boolean): void {
    const channel = this.channels.get(roomId);
    if (!channel) return;
    const notice: EngineEvent = { type: 'room_deleted', room: toRoomRef(channel.room) };
    for (const subscriber of [...channel.subscribers]) {
      if (!subscriber.anonymous && maySee(subscriber.user)) continue;
      channel.unsubscribe(subscriber, true);
      subscriber.forgetRoom(roomId, notice);
    }
  }

  /** The bus link is back: every channel reads back what it may have missed. */
  resyncAll(): void {
    for (const channel of this.channels.values()) channel.resync();
  }

  clearAll(): void {
    for (const channel of this.channels.values()) channel.clear();
    this.channels.clear();
  }
}
