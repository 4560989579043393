import type { Room, UserRef } from '../core/types.js';
import type { EngineEvent, MessageView } from './events.js';
import { toRoomRef } from './views.js';

/** What a room channel needs from a session. */
export interface Subscriber {
  readonly id: string;
  readonly user: UserRef;
  /** Readers without an account receive the room's events but are never present. */
  readonly anonymous: boolean;
  deliverRoomEvent(roomId: number, event: EngineEvent): void;
  /**
   * The subscriber no longer has the room (it was deleted, or made private to someone not a member): it
   * forgets it, and hears `notice` when one is given.
   */
  forgetRoom(roomId: number, notice?: EngineEvent): void;
}

interface PresenceEntry {
  user: UserRef;
  connections: number;
  leaveTimer: NodeJS.Timeout | null;
}

export interface RoomChannelDeps {
  presenceGraceMs: number;
  /**
   * The user became present on this node (first connection in the room) or stopped being (last one gone and
   * the grace period over). The engine turns this into cluster-wide presence and its events.
   */
  onPresence(channel: RoomChannel, user: UserRef, present: boolean, except?: Subscriber): void;
  backfillDelayMs: number;
  /** Committed messages of the room with seq > afterSeq, oldest first. */
  loadAfter(roomId: number, afterSeq: number, limit: number): Promise<MessageView[]>;
  onEmpty(channel: RoomChannel): void;
  onDelivered(count: number): void;
  logError(err: unknown): void;
}

const BACKFILL_PAGE = 500;

/**
 * One room's live state on this node: who is subscribed, who is present (per user, not per connection), and
 * the seq of the last message handed out. Messages are handed out strictly in seq order: one that arrives
 * early waits for the missing ones, and if they do not come (a lost bus message) they are read back from
 * storage, so that no subscriber ever sees a hole or a message twice.
 */
export class RoomChannel {
  room: Room;
  readonly subscribers = new Set<Subscriber>();
  private readonly presence = new Map<number, PresenceEntry>();
  private lastSeq: number | null = null;
  private readonly early = new Map<number, Extract<EngineEvent, { type: 'message' }>>();
  private backfillTimer: NodeJS.Timeout | null = null;
  private backfilling = false;
  readonly ready: Promise<void>;

  constructor(
    room: Room,
    private readonly deps: RoomChannelDeps,
    loadLastSeq: Promise<number>,
  ) {
    this.room = room;
    this.ready = loadLastSeq.then((seq) => {
      this.lastSeq = seq;
      this.drain();
    });
  }

  get deliveredSeq(): number | null {
    return this.lastSeq;
  }

  /** Users present through this node, each once however many connections they have. */
  localUsers(): UserRef[] {
    return [...this.presence.values()].map((p) => p.user);
  }

  /** The user as now (a profile change), if present here. */
  updateUser(user: UserRef): void {
    const entry = this.presence.get(user.id);
    if (entry) entry.user = { ...user, role: entry.user.role };
  }

  isEmpty(): boolean {
    return this.subscribers.size === 0 && this.presence.size === 0;
  }

  /** Adds a subscriber; its user becomes present unless they already were (or are within their grace period). */
  subscribe(subscriber: Subscriber): void {
    this.subscribers.add(subscriber);
    if (subscriber.anonymous) return;
    const entry = this.presence.get(subscriber.user.id);
    if (entry) {
      entry.connections += 1;
      if (entry.leaveTimer) {
        clearTimeout(entry.leaveTimer);
        entry.leaveTimer = null;
      }
      return;
    }
    this.presence.set(subscriber.user.id, { user: subscriber.user, connections: 1, leaveTimer: null });
    this.deps.onPresence(this, subscriber.user, true, subscriber);
  }

  /**
   * Removes a subscriber; its user leaves when this was their last connection: after the grace period when
   * the connection went away (a reload should not flap), at once when they left on purpose (`immediate`).
   */
  unsubscribe(subscriber: Subscriber, immediate = false): void {
    if (!this.subscribers.delete(subscriber)) return;
    const entry = subscriber.anonymous ? undefined : this.presence.get(subscriber.user.id);
    if (!entry) {
      if (this.isEmpty()) this.deps.onEmpty(this);
      return;
    }
    entry.connections -= 1;
    if (entry.connections > 0) return;
    const leave = () => {
      this.presence.delete(subscriber.user.id);
      this.deps.onPresence(this, entry.user, false);
      if (this.isEmpty()) this.deps.onEmpty(this);
    };
    if (immediate || this.deps.presenceGraceMs <= 0) leave();
    else {
      entry.leaveTimer = setTimeout(leave, this.deps.presenceGraceMs);
      entry.leaveTimer.unref();
    }
  }

  /**
   * The subscriber's user was `from` and is now another (a guest's upgrade, upgrade.ts): its presence here
   * moves to the new user without a leave or a join. Answers whether `from` is no longer present here.
   */
  moved(subscriber: Subscriber, from: UserRef): boolean {
    if (!this.subscribers.has(subscriber) || subscriber.anonymous) return false;
    const before = this.presence.get(from.id);
    let gone = false;
    if (before && --before.connections <= 0) {
      if (before.leaveTimer) clearTimeout(before.leaveTimer);
      this.presence.delete(from.id);
      gone = true;
    }
    const entry = this.presence.get(subscriber.user.id);
    if (!entry) {
      this.presence.set(subscriber.user.id, { user: subscriber.user, connections: 1, leaveTimer: null });
      return gone;
    }
    entry.connections += 1;
    if (entry.leaveTimer) clearTimeout(entry.leaveTimer);
    entry.leaveTimer = null;
    return gone;
  }

  /** Reads back from storage whatever came after the last message handed out (the bus may have lost some). */
  resync(): void {
    if (this.lastSeq === null || this.backfilling) return;
    this.backfillNow(true);
  }

  /** Drops every subscriber and presence at once (room deleted, shutdown); no events. */
  clear(): void {
    for (const entry of this.presence.values()) if (entry.leaveTimer) clearTimeout(entry.leaveTimer);
    if (this.backfillTimer) clearTimeout(this.backfillTimer);
    this.presence.clear();
    this.subscribers.clear();
    this.early.clear();
  }

  broadcast(event: EngineEvent, except?: Subscriber): void {
    let count = 0;
    for (const subscriber of this.subscribers) {
      if (subscriber === except) continue;
      subscriber.deliverRoomEvent(this.room.id, event);
      count += 1;
    }
    this.deps.onDelivered(count);
  }

  /** A committed message, from this node or another: handed out in seq order, exactly once. */
  acceptMessage(event: Extract<EngineEvent, { type: 'message' }>): void {
    const seq = event.message.seq;
    if (this.lastSeq !== null && seq <= this.lastSeq) return;
    this.early.set(seq, event);
    this.drain();
  }

  private drain(): void {
    if (this.lastSeq === null) return;
    for (;;) {
      const next = this.early.get(this.lastSeq + 1);
      if (!next) break;
      this.early.delete(this.lastSeq + 1);
      this.lastSeq += 1;
      this.broadcast(next);
    }
    for (const seq of this.early.keys()) if (seq <= this.lastSeq) this.early.delete(seq);
    if (this.early.size > 0) this.scheduleBackfill();
    else if (this.backfillTimer) {
      clearTimeout(this.backfillTimer);
      this.backfillTimer = null;
    }
  }

  private scheduleBackfill(): void {
    if (this.backfillTimer || this.backfilling) return;
    this.backfillTimer = setTimeout(() => {
      this.backfillTimer = null;
      this.backfillNow(false);
    }, this.deps.backfillDelayMs);
    this.backfillTimer.unref();
  }

  private async backfill(untilCaughtUp = false): Promise<void> {
    if (this.lastSeq === null || (this.early.size === 0 && !untilCaughtUp)) return;
    this.backfilling = true;
    let more = false;
    try {
      const missing = await this.deps.loadAfter(this.room.id, this.lastSeq, BACKFILL_PAGE);
      const ref = toRoomRef(this.room);
      for (const message of missing) {
        if (!this.early.has(message.seq))
          this.early.set(message.seq, { type: 'message', room: ref, message });
      }
      more = untilCaughtUp && missing.length === BACKFILL_PAGE;
    } catch (err) {
      this.deps.logError(err);
    } finally {
      this.backfilling = false;
    }
    this.drain();
    if (more) this.backfillNow(true);
  }

  /** Started from a timer or the bus, awaited by nobody: whatever fails in it is logged, never left unhandled. */
  private backfillNow(untilCaughtUp: boolean): void {
    this.backfill(untilCaughtUp).catch((err: unknown) => this.deps.logError(err));
  }
}
