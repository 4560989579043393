import type { AppId, RoomId } from '../core/types.js';
import type { EngineEvent } from './events.js';
import type { Bus, BusBody } from './ports/bus.js';

export const roomTopic = (appId: AppId, roomId: RoomId): string => `room:${appId}:${roomId}`;
export const appTopic = (appId: AppId): string => `app:${appId}`;

/**
 * Events that change what every node keeps (the moderation cache, the presence directory, shadow mutes): a
 * node with no session in the room or the app keeps these too, and may serve the app later without reading
 * them again, so they go to every node whatever their usual topic.
 */
const KEPT_EVERYWHERE = new Set<EngineEvent['type']>([
  'muted',
  'unmuted',
  'banned',
  'unbanned',
  'user_renamed',
  'shadow_muted',
  'shadow_unmuted',
]);

/**
 * Where a message travels: a room's events to the nodes with someone in the room, an app's and its users'
 * events to the nodes with a session of the app, the rest (control, presence, profile and app changes, and the
 * events above) to every node. Undefined: every node.
 */
export function topicOf(body: BusBody): string | undefined {
  switch (body.type) {
    case 'room_event':
      return KEPT_EVERYWHERE.has(body.event.type) ? undefined : roomTopic(body.appId, body.roomId);
    case 'app_event':
    case 'staff_event':
      return KEPT_EVERYWHERE.has(body.event.type) ? undefined : appTopic(body.appId);
    case 'user_event':
    case 'disconnect_user':
    case 'token_revoked':
    case 'role_changed':
      return appTopic(body.appId);
    default:
      return undefined;
  }
}

/**
 * The topics this node hears, held while something here needs them: a room's while its channel is open (a
 * session joined it), an app's while a session of the app is open or one of its rooms is held. A topic no
 * longer held is left after `delayMs`, so that a room whose last member reloads is not left and subscribed
 * again at once; held again within it, it simply stays. At most one topic per open channel and per app with a
 * session: bounded by what the node serves.
 */
export class BusInterest {
  private readonly holders = new Map<string, number>();
  /** Subscriptions in flight or done; a topic is here while subscribed. */
  private readonly subscribed = new Map<string, Promise<void>>();
  private readonly leaving = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly bus: Pick<Bus, 'subscribe' | 'unsubscribe'>,
    private readonly delayMs: number,
  ) {}

  /** Resolves once the room's (and its app's) messages published from now on reach this node. */
  holdRoom(appId: AppId, roomId: RoomId): Promise<void> {
    return Promise.all([this.hold(roomTopic(appId, roomId)), this.hold(appTopic(appId))]).then(() => {});
  }

  releaseRoom(appId: AppId, roomId: RoomId): void {
    this.release(roomTopic(appId, roomId));
    this.release(appTopic(appId));
  }

  holdApp(appId: AppId): Promise<void> {
    return this.hold(appTopic(appId));
  }

  releaseApp(appId: AppId): void {
    this.release(appTopic(appId));
  }

  /** The topics subscribed now (for tests and the operator's view). */
  get topics(): string[] {
    return [...this.subscribed.keys()];
  }

  private hold(topic: string): Promise<void> {
    this.holders.set(topic, (this.holders.get(topic) ?? 0) + 1);
    const timer = this.leaving.get(topic);
    if (timer) {
      clearTimeout(timer);
      this.leaving.delete(topic);
    }
    let subscription = this.subscribed.get(topic);
    if (!subscription) {
      subscription = this.bus.subscribe(topic);
      this.subscribed.set(topic, subscription);
    }
    return subscription;
  }

  private release(topic: string): void {
    const count = (this.holders.get(topic) ?? 0) - 1;
    if (count > 0) {
      this.holders.set(topic, count);
      return;
    }
    this.holders.delete(topic);
    if (!this.subscribed.has(topic) || this.leaving.has(topic)) return;
    const leave = () => {
      this.leaving.delete(topic);
      if (this.holders.has(topic)) return;
      this.subscribed.delete(topic);
      this.bus.unsubscribe(topic);
    };
    if (this.delayMs <= 0) return leave();
    const timer = setTimeout(leave, this.delayMs);
    timer.unref();
    this.leaving.set(topic, timer);
  }
}
