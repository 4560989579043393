import type { Room, UserRef } from '../core/types.js';
import type { BusInterest } from './busInterest.js';
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
 * last subscriber is gone, the room deleted or the node stopped. A channel holds its room's bus topic while it
 * lives, so that this node hears the room's events from the other nodes only while someone here is in it.
 */
export class Channels {
  private readonly channels = new Map<number, RoomChannel>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly interest: Pick<BusInterest, 'holdRoom' | 'releaseRoom'>,
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
      created.ready.catch(() => this.remove(created));
    }
    await channel.ready;
    return channel;
  }

  /** Forgets the channel (if it is still the room's) and lets its topic go. */
  private remove(channel: RoomChannel): void {
    if (this.channels.get(channel.room.id) !== channel) return;
    this.channels.delete(channel.room.id);
    this.interest.releaseRoom(channel.room.appId, channel.room.id);
  }

  private create(room: Room): RoomChannel {
    const { store, config, metrics, logger } = this.ctx;
    // The topic first, the last seq after: whatever is committed after the read is then heard on the bus, and
    // what was committed before it is in storage (no message falls between the two).
    const lastSeq = this.interest.holdRoom(room.appId, room.id).then(() => store.messages.lastSeq(room.id));
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
        onEmpty: (c) => this.remove(c),
        onDelivered: (count) => metrics.messagesOut(count),
        logError: (err) => logger.error({ err, roomId: room.id }, 'room backfill failed'),
      },
      lastSeq,
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
    this.remove(channel);
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
    for (const channel of [...this.channels.values()]) {
      channel.clear();
      this.remove(channel);
    }
  }
}
