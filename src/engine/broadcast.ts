import type { DisconnectReason } from '../core/disconnect.js';
import type { Role } from '../core/roles.js';
import type { AppId, Room, UserId, UserRef } from '../core/types.js';
import { topicOf } from './busInterest.js';
import type { Channels } from './channels.js';
import type { EngineContext } from './context.js';
import type { EngineEvent } from './events.js';
import { BUS_VERSION, type Bus, type BusBody } from './ports/bus.js';
import type { PresenceEntry } from './presenceDirectory.js';
import type { Subscriber } from './roomChannel.js';

/** This node's sessions as the broadcast reaches them (the sessions part). */
export interface LocalSessions {
  toApp(appId: AppId, event: EngineEvent, audience?: readonly number[]): void;
  toUser(appId: AppId, userId: UserId, event: EngineEvent, except?: object): void;
  toStaff(appId: AppId, event: EngineEvent): void;
  disconnectUser(appId: AppId, userId: UserId, reason: DisconnectReason): void;
  disconnectToken(appId: AppId, userId: UserId, tokenId: string): void;
  applyRole(appId: AppId, userId: UserId, role: Role): void;
}

/**
 * Everything this node tells: to its own sessions and, once, to the other nodes. The only part that publishes
 * on the bus, so that every message leaves with the version and the origin the others check.
 */
export class Broadcast {
  constructor(
    private readonly ctx: EngineContext,
    private readonly bus: Bus,
    private readonly channels: Channels,
    private readonly sessions: LocalSessions,
    /** How this node applies a profile change (profiles.ts), for one made here as for one heard of. */
    private readonly onProfile: (appId: AppId, user: UserRef) => void,
  ) {}

  /** On the body's topic (busInterest.ts): only the nodes it concerns hear it. */
  private publish(body: BusBody): void {
    this.ctx.metrics.busPublished();
    this.bus.publish({ ...body, v: BUS_VERSION, origin: this.ctx.nodeId }, topicOf(body));
  }

  /** A committed message: handed out here in seq order, and to the other nodes. */
  message(room: Room, event: Extract<EngineEvent, { type: 'message' }>): void {
    this.channels.get(room.id)?.acceptMessage(event);
    this.publish({ type: 'room_event', appId: room.appId, roomId: room.id, event });
  }

  /** An event for everyone in a room, here and on the other nodes. */
  roomEvent(room: Room, event: EngineEvent, except?: Subscriber): void {
    this.channels.get(room.id)?.broadcast(event, except);
    this.publish({ type: 'room_event', appId: room.appId, roomId: room.id, event });
  }

  /**
   * An event for every session of an app, here and on the other nodes; with an audience, only for those
   * users (and the app's admins and owners): that is how private rooms stay unknown to non-members.
   */
  appEvent(appId: AppId, event: EngineEvent, audience?: readonly number[]): void {
    this.sessions.toApp(appId, event, audience);
    this.publish({ type: 'app_event', appId, event, ...(audience ? { audience } : {}) });
  }

  /** An event for one user's connections, wherever they are (but `except`, the one that asked, on this node). */
  userEvent(appId: AppId, userId: UserId, event: EngineEvent, except?: object): void {
    this.sessions.toUser(appId, userId, event, except);
    this.publish({ type: 'user_event', appId, userId, event });
  }

  /** An event for the app's staff sessions (mods and above), wherever they are. */
  staffEvent(appId: AppId, event: EngineEvent): void {
    this.sessions.toStaff(appId, event);
    this.publish({ type: 'staff_event', appId, event });
  }

  /** Ends the user's connections on this node and on every other. */
  disconnectUser(
    appId: AppId,
    userId: UserId,
    reason: Extract<DisconnectReason, 'kicked' | 'banned' | 'logout' | 'revoked'>,
  ): void {
    this.sessions.disconnectUser(appId, userId, reason);
    this.publish({ type: 'disconnect_user', appId, userId, reason });
  }

  /** Ends the connections signed in with the token, on this node and on every other. */
  tokenRevoked(appId: AppId, userId: UserId, tokenId: string): void {
    this.sessions.disconnectToken(appId, userId, tokenId);
    this.publish({ type: 'token_revoked', appId, userId, tokenId });
  }

  /** A user's profile changed: applied here (profiles.ts) and on every other node. */
  profileChanged(appId: AppId, user: UserRef): void {
    this.onProfile(appId, user);
    this.publish({ type: 'profile_changed', appId, user });
  }

  roleChanged(appId: AppId, userId: UserId, role: Role): void {
    this.sessions.applyRole(appId, userId, role);
    this.publish({ type: 'role_changed', appId, userId, role });
  }

  appChanged(appId: AppId): void {
    this.publish({ type: 'app_changed', appId });
  }

  presence(entry: PresenceEntry, online: boolean): void {
    this.publish({ type: 'presence', entry, online });
  }

  presenceSnapshot(to: string | null, entries: PresenceEntry[]): void {
    this.publish({ type: 'presence_snapshot', to, entries });
  }

  hello(): void {
    this.publish({ type: 'hello' });
  }

  nodeAlive(): void {
    this.publish({ type: 'node_alive' });
  }

  nodeLeaving(): void {
    this.publish({ type: 'node_leaving' });
  }
}
