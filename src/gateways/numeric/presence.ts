/**
 * Prompt logouts. A channel leave (type 5) is announced by the engine at once (deliberate leaves have no grace
 * period). A logout (type 3) ends the session like a dropped connection, which the engine announces only after
 * its presence grace period (so that a reload does not flap); a numeric client that logs out is therefore
 * announced at once to the numeric clients of this node, the engine's late events for the same departure are
 * suppressed, and a return within the grace period (for which the engine says nothing) is announced here too.
 */
import type { OnlineUser } from '../../engine/api.js';
import type { EngineEvent } from '../../engine/events.js';
import type { AppId, UserRef } from '../../core/types.js';
import { channelFrame, TYPE, userFrame } from './frames.js';
import type { PresenceFilter } from './events.js';

/** A numeric connection as the registry sees it. */
export interface Member {
  readonly appId: AppId;
  readonly userId: number;
  /** True when this connection has joined the room. */
  inRoom(roomId: number): boolean;
  /** Write one frame (dropped when the connection cannot take it). */
  push(frame: string): void;
}

interface Pending {
  timer: NodeJS.Timeout;
  userId: number;
  /** Lower-cased room name for a room departure; null for a logout. */
  room: string | null;
}

export interface RoomRef {
  id: number;
  name: string;
}

/** After the grace period, plus this margin, an announced departure the engine never confirmed is settled. */
const SETTLE_MARGIN_MS = 2000;

export class PromptPresence implements PresenceFilter {
  private readonly byApp = new Map<AppId, Set<Member>>();
  /** Departures announced here whose engine event is still due: `a:user` or `r:room:user`. */
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly graceMs: number,
    private readonly online: (appId: AppId) => OnlineUser[],
  ) {}

  /** With no grace period the engine announces departures at once: nothing to do here. */
  get enabled(): boolean {
    return this.graceMs > 0;
  }

  add(member: Member): void {
    let members = this.byApp.get(member.appId);
    if (!members) {
      members = new Set();
      this.byApp.set(member.appId, members);
    }
    members.add(member);
  }

  remove(member: Member): void {
    const members = this.byApp.get(member.appId);
    if (!members) return;
    members.delete(member);
    if (members.size === 0) this.byApp.delete(member.appId);
  }

  /** True while the user's departure from the app was announced here and the engine has not caught up. */
  isLeavingApp(userId: number): boolean {
    return this.pending.has(appKey(userId));
  }

  /** The same for a room, by name (lists are asked for by name). */
  isLeavingRoom(roomName: string, userId: number): boolean {
    const room = roomName.toLowerCase();
    for (const pending of this.pending.values()) {
      if (pending.userId === userId && pending.room === room) return true;
    }
    return false;
  }

  /** The engine's presence events: a departure already announced here is not announced twice. */
  admit(event: EngineEvent): boolean {
    switch (event.type) {
      case 'presence_leave':
        return !this.settle(roomKey(event.room.id, event.user.id));
      case 'presence_join':
        this.settle(roomKey(event.room.id, event.user.id));
        return true;
      case 'user_offline':
        return !this.settle(appKey(event.user.id));
      case 'user_online':
        this.settle(appKey(event.user.id));
        return true;
      default:
        return true;
    }
  }

  /** `member` left `room` (type 5): tell the room's other numeric members now. */
  announceLeave(member: Member, user: UserRef, room: RoomRef): void {
    if (!this.enabled) return;
    const frame = channelFrame(TYPE.leave, room.name, user.username);
    this.broadcast(member.appId, member, frame, (m) => m.inRoom(room.id));
    this.expect(roomKey(room.id, user.id), user.id, room.name, () =>
      this.settleRoom(member.appId, user, room),
    );
  }

  /** `member` logs out (type 3): leaves for each of its rooms, then the logout, to the app's numeric members. */
  announceLogout(member: Member, user: UserRef, rooms: RoomRef[]): void {
    if (!this.enabled) return;
    for (const room of rooms) this.announceLeave(member, user, room);
    this.broadcast(member.appId, member, userFrame(TYPE.logout, user.username), () => true);
    this.expect(appKey(user.id), user.id, null, () => this.settleApp(member.appId, user));
  }

  /**
   * `member` logged in. `announced` is true when the engine sent user_online for it; when it did not and a
   * logout was announced here, the user is back within the grace period and the others are told so.
   */
  announceLogin(member: Member, user: UserRef, announced: boolean): void {
    const wasLeaving = this.settle(appKey(user.id));
    if (wasLeaving && !announced) {
      this.broadcast(member.appId, member, userFrame(TYPE.login, user.username), () => true);
    }
  }

  /** `member` joined `room`: after a leave announced here, the engine stays silent; say it here. */
  announceJoin(member: Member, user: UserRef, room: RoomRef): void {
    if (!this.settle(roomKey(room.id, user.id))) return;
    const frame = channelFrame(TYPE.join, room.name, user.username);
    this.broadcast(member.appId, member, frame, (m) => m.inRoom(room.id));
  }

  close(): void {
    for (const pending of this.pending.values()) clearTimeout(pending.timer);
    this.pending.clear();
    this.byApp.clear();
  }

  private broadcast(appId: AppId, except: Member, frame: string, to: (member: Member) => boolean): void {
    for (const member of this.byApp.get(appId) ?? []) {
      if (member !== except && to(member)) member.push(frame);
    }
  }

  private expect(key: string, userId: number, room: string | null, onSettle: () => void): void {
    this.settle(key);
    const timer = setTimeout(() => {
      if (this.pending.get(key)?.timer !== timer) return;
      this.pending.delete(key);
      onSettle();
    }, this.graceMs + SETTLE_MARGIN_MS);
    timer.unref();
    this.pending.set(key, { timer, userId, room: room === null ? null : room.toLowerCase() });
  }

  /** Forgets a pending departure; true when there was one. */
  private settle(key: string): boolean {
    const pending = this.pending.get(key);
    if (!pending) return false;
    clearTimeout(pending.timer);
    this.pending.delete(key);
    return true;
  }

  /** The engine never said the user went offline: they came back through another dialect or node. */
  private settleApp(appId: AppId, user: UserRef): void {
    if (!this.online(appId).some((entry) => entry.user.id === user.id)) return;
    for (const member of this.byApp.get(appId) ?? []) member.push(userFrame(TYPE.login, user.username));
  }

  private settleRoom(appId: AppId, user: UserRef, room: RoomRef): void {
    const entry = this.online(appId).find((e) => e.user.id === user.id);
    if (!entry || !entry.rooms.some((name) => name.toLowerCase() === room.name.toLowerCase())) return;
    const frame = channelFrame(TYPE.join, room.name, user.username);
    for (const member of this.byApp.get(appId) ?? []) if (member.inRoom(room.id)) member.push(frame);
  }
}

/** user_online / user_offline carry no app id; user ids are unique across apps (as room ids are). */
function appKey(userId: number): string {
  return `a:${userId}`;
}

function roomKey(roomId: number, userId: number): string {
  return `r:${roomId}:${userId}`;
}
