import type { AppId, Room, UserId, UserRef } from '../core/types.js';
import type { OnlineUser } from './api.js';
import type { RoomRef } from './events.js';
import type { Broadcast } from './broadcast.js';
import type { Channels } from './channels.js';
import { userKey, type EngineContext } from './context.js';
import { OnlineBatcher } from './onlineBatcher.js';
import { PresenceDirectory, type PresenceEntry, type PresencePlace } from './presenceDirectory.js';
import type { RoomChannel, Subscriber } from './roomChannel.js';
import type { Sessions } from './sessions.js';
import { toRoomRef } from './views.js';

/**
 * Who is present where, across the cluster. App-wide presence: online with a user's first connection,
 * offline a grace period after the last one (a reload should not flap). Room presence comes from the
 * channels. Other nodes report theirs on the bus; a node that says it is leaving, or is not heard from for
 * about three heartbeat intervals, has its presence dropped.
 */
export class Presence {
  private readonly directory = new PresenceDirectory();
  private readonly offlineTimers = new Map<string, NodeJS.Timeout>();
  /** Other nodes, by when they were last heard from. */
  private readonly nodesSeen = new Map<string, number>();
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private silenceTimer: NodeJS.Timeout | null = null;
  /** App-wide arrivals and departures, told to the watchers in batches. */
  private readonly onlineBatch: OnlineBatcher;

  constructor(
    private readonly ctx: EngineContext,
    private readonly broadcast: Broadcast,
    private readonly sessions: Sessions,
    private readonly channels: Channels,
    /** A user came into a room or left it, cluster-wide, through this node (after the grace period). */
    private readonly roomMembership?: (place: PresencePlace, user: UserRef, present: boolean) => void,
  ) {
    this.onlineBatch = new OnlineBatcher(ctx.clock, ctx.config.presenceBatchMs, (appId, event) =>
      sessions.toAppPresenceWatchers(appId, event),
    );
  }

  /** Heartbeats out, and the watch for silent nodes. */
  start(): void {
    const every = this.ctx.config.clusterHeartbeatMs;
    this.heartbeatTimer = setInterval(() => this.broadcast.nodeAlive(), every);
    this.heartbeatTimer.unref();
    this.silenceTimer = setInterval(() => this.dropSilentNodes(), every / 4);
    this.silenceTimer.unref();
  }

  /** Stop: no timers left, and the other nodes are told to drop this node's presence now. */
  stop(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.silenceTimer) clearInterval(this.silenceTimer);
    for (const timer of this.offlineTimers.values()) clearTimeout(timer);
    this.offlineTimers.clear();
    this.onlineBatch.stop();
    this.broadcast.nodeLeaving();
  }

  // ---------------------------------------------------------------- this node

  userArrived(appId: AppId, user: UserRef): void {
    const key = userKey(appId, user.id);
    const pending = this.offlineTimers.get(key);
    if (pending) {
      clearTimeout(pending);
      this.offlineTimers.delete(key);
      return;
    }
    this.local({ appId, roomId: null, roomName: null }, user, true);
  }

  userLeft(appId: AppId, user: UserRef, immediate: boolean): void {
    const key = userKey(appId, user.id);
    const offline = () => {
      this.offlineTimers.delete(key);
      this.local({ appId, roomId: null, roomName: null }, user, false);
    };
    if (immediate || this.ctx.config.presenceGraceMs <= 0) return offline();
    const timer = setTimeout(offline, this.ctx.config.presenceGraceMs);
    timer.unref();
    this.offlineTimers.set(key, timer);
  }

  /** A channel's user became present on this node, or stopped being. */
  roomPresence(channel: RoomChannel, user: UserRef, present: boolean, except?: Subscriber): void {
    const { appId, id, name } = channel.room;
    this.local({ appId, roomId: id, roomName: name }, user, present, except);
  }

  /**
   * A guest in the room became a user on `node` (upgrade.ts here; the room's `user_renamed` from another node):
   * the directory follows without a leave or a join, which the room hears as the `user_renamed` itself.
   * `fromGone` false: the guest is still present on that node (a connection of theirs not yet closed).
   */
  renamed(appId: AppId, room: RoomRef, from: UserRef, to: UserRef, node: string, fromGone = true): void {
    const place = { appId, roomId: room.id, roomName: room.name };
    if (fromGone) this.directory.remove(place, from.id, node);
    this.directory.add(place, to, node);
  }

  /** Tells the other nodes and, if it changed the cluster-wide picture, this node's clients. */
  private local(place: PresencePlace, user: UserRef, present: boolean, except?: Subscriber): void {
    const changed = this.apply(place, user, present, this.ctx.nodeId, except);
    // Only the node where it happened tells, and only when no other node still has the user there.
    if (changed && place.roomId !== null) this.roomMembership?.(place, user, present);
    this.broadcast.presence({ ...place, user }, present);
  }

  // ---------------------------------------------------------------- other nodes

  /** Any message from a node shows that it is alive. */
  heard(node: string): void {
    this.nodesSeen.set(node, this.ctx.clock.now());
  }

  remote(entry: PresenceEntry, present: boolean, node: string): void {
    this.apply(entry, entry.user, present, node);
  }

  /** A node said it is stopping: its users are gone from here at once. */
  nodeLeft(node: string): void {
    this.nodesSeen.delete(node);
    this.replaceNode(node, []);
  }

  /** Makes a node's presence exactly `entries` (its snapshot, or nothing when it is gone). */
  replaceNode(node: string, entries: PresenceEntry[]): void {
    const { joined, left } = this.directory.replaceNode(node, entries);
    for (const entry of left) this.announce(entry, false);
    for (const entry of joined) this.announce(entry, true);
  }

  /** What this node has present, for a node that asked (`to`) or for all (null). */
  sendSnapshot(to: string | null): void {
    this.broadcast.presenceSnapshot(to, this.directory.entriesOf(this.ctx.nodeId));
  }

  /**
   * Runs four times per heartbeat interval and drops a node silent for more than 2.75 intervals, so that a
   * dead node's presence is gone within 3 intervals of when it was last heard (the documented bound).
   */
  private dropSilentNodes(): void {
    const deadline = this.ctx.clock.now() - 2.75 * this.ctx.config.clusterHeartbeatMs;
    for (const [node, seen] of this.nodesSeen) {
      if (seen >= deadline) continue;
      this.nodesSeen.delete(node);
      this.ctx.logger.warn({ node }, 'node not heard from: dropping its presence');
      this.replaceNode(node, []);
    }
  }

  private apply(
    place: PresencePlace,
    user: UserRef,
    present: boolean,
    node: string,
    except?: Subscriber,
  ): boolean {
    const changed = present
      ? this.directory.add(place, user, node)
      : this.directory.remove(place, user.id, node);
    if (changed) this.announce({ ...place, user }, present, except);
    return changed;
  }

  private announce(entry: PresenceEntry, present: boolean, except?: Subscriber): void {
    if (entry.roomId === null) return this.onlineBatch.change(entry.appId, entry.user, present);
    const channel = this.channels.get(entry.roomId);
    if (!channel) return;
    const room = toRoomRef(channel.room);
    channel.broadcast({ type: present ? 'presence_join' : 'presence_leave', room, user: entry.user }, except);
  }

  /** A user's profile changed: presence shows it from now on; answers the rooms where the user is, by id. */
  applyProfile(appId: AppId, user: UserRef): number[] {
    const rooms = this.directory.updateUser(appId, user);
    for (const roomId of rooms) this.channels.get(roomId)?.updateUser(user);
    return rooms;
  }

  // ---------------------------------------------------------------- questions

  /** Who is in a room, across the cluster: each user once. */
  roomOnline(room: Room): UserRef[] {
    return this.directory.users({ appId: room.appId, roomId: room.id });
  }

  roomCount(appId: AppId, roomId: number): number {
    return this.directory.count({ appId, roomId });
  }

  /** Who is connected to the app across the cluster, each user once (no rooms or connection counts). */
  appUsers(appId: AppId): UserRef[] {
    return this.directory.users({ appId, roomId: null });
  }

  appCount(appId: AppId): number {
    return this.directory.count({ appId, roomId: null });
  }

  /** Connected here, or present through another node (a guest who left this node may come back at once). */
  isOnline(appId: AppId, userId: UserId): boolean {
    return (
      this.sessions.hasUser(appId, userId) ||
      this.directory.presentElsewhere({ appId, roomId: null }, userId, this.ctx.nodeId)
    );
  }

  /**
   * Who is connected to the app, across the cluster. `connections` counts this node's connections and each
   * other node where the user is present once.
   */
  online(appId: AppId): OnlineUser[] {
    const place = { appId, roomId: null };
    return this.directory.users(place).map((user) => {
      const local = this.sessions.connections(appId, user.id);
      // This node's own entry outlives its last connection by the grace period: only other nodes count here.
      const remoteNodes = this.directory.nodesOtherThan(place, user.id, this.ctx.nodeId);
      return { user, rooms: this.directory.roomsOf(appId, user.id), connections: local + remoteNodes };
    });
  }
}
