import { READ_MARKER_FLUSH_MS } from '../core/mentions.js';
import { badField } from '../core/failures.js';
import { checkSeq } from '../core/messages.js';
import type { App, AppId, Room, RoomId, User, UserId, UserRef } from '../core/types.js';
import type { ReadReceipt, ReadResult, UserUnread } from './api.js';
import type { EngineContext } from './context.js';
import type { EngineEvent, RoomView } from './events.js';
import type { UnreadRow } from './ports/readStore.js';
import { MarkerWriter } from './readMarkers.js';
import { refOf, toRoomRef } from './views.js';

/** What the read-state part asks of the others. */
export interface ReadStateDeps {
  userEvent(appId: AppId, userId: UserId, event: EngineEvent, except?: object): void;
  visibleRooms(appId: AppId, user: UserRef): Promise<RoomView[]>;
  findUser(appId: AppId, username: unknown): Promise<User>;
  getApp(appId: AppId): Promise<App>;
  getUser(appId: AppId, userId: UserId): Promise<User | null>;
  roomEvent(room: Room, event: EngineEvent): void;
  /** The room's last seq handed out on this node (null: none yet; undefined: no channel here). */
  deliveredSeq(roomId: RoomId): number | null | undefined;
}

export interface UnreadCounts {
  unread: number;
  unreadMentions: number;
}

/**
 * Read state: each user's read marker per room (created at the room's last seq on the first join, moved to a
 * message the user writes, moved by `read`; never back), and the unread counts after it: messages not written
 * by the user and not deleted, and those of them that mention the user. Marker writes are coalesced
 * (readMarkers.ts); counts on this node take the markers not yet written into account, other nodes see them
 * once written (within READ_MARKER_FLUSH_MS).
 */
export class ReadState {
  private readonly writer: MarkerWriter;

  constructor(
    private readonly ctx: EngineContext,
    private readonly deps: ReadStateDeps,
  ) {
    this.writer = new MarkerWriter(ctx, READ_MARKER_FLUSH_MS);
  }

  /** The marker as this node knows it: the newer of the stored one and one not yet written; null for none. */
  private async marker(appId: AppId, userId: UserId, roomId: RoomId): Promise<number | null> {
    const stored = await this.ctx.store.reads.getMarker(userId, roomId);
    // Read after the await, so that a marker moved meanwhile on this node is seen.
    const pending = this.writer.seqOf(appId, userId, roomId);
    if (pending === undefined) return stored;
    return stored === null ? pending : Math.max(stored, pending);
  }

  /** A join: the first one creates the marker at the room's last seq (nothing unread); answers the counts. */
  async joined(appId: AppId, user: UserRef, room: Room, lastSeq: number): Promise<UnreadCounts> {
    const marker = await this.marker(appId, user.id, room.id);
    if (marker === null) {
      this.writer.put({ appId, userId: user.id, roomId: room.id, seq: lastSeq, createOnly: true });
      return { unread: 0, unreadMentions: 0 };
    }
    return this.ctx.store.reads.countAfter(user.id, room.id, marker);
  }

  /** The user wrote the message at `seq`: read up to it. Memory only; written with the next flush. */
  wrote(appId: AppId, userId: UserId, roomId: RoomId, seq: number): void {
    this.writer.put({ appId, userId, roomId, seq, createOnly: false });
  }

  /**
   * `read`: the marker moves forward to `seq`, clamped to the room's last seq; a lower seq leaves it where it
   * is. When it moved, every other connection of the user hears `read` (`origin`, the asking one, has the answer).
   */
  async read(appId: AppId, user: UserRef, room: Room, rawSeq: unknown, origin?: object): Promise<ReadResult> {
    const asked = checkSeq(rawSeq, 'seq');
    if (asked === undefined) throw badField('seq', 'seq must be a seq (a whole number)');
    // A seq this node has delivered is at most the room's last: only a seq beyond it needs the stored one.
    const delivered = this.deps.deliveredSeq(room.id) ?? 0;
    const target =
      asked <= delivered ? asked : Math.min(asked, await this.ctx.store.messages.lastSeq(room.id));
    const current = await this.marker(appId, user.id, room.id);
    let seq = current ?? target;
    if (current === null || target > current) {
      seq = target;
      this.writer.put({ appId, userId: user.id, roomId: room.id, seq, createOnly: false });
      this.deps.userEvent(appId, user.id, { type: 'read', room: toRoomRef(room), seq }, origin);
      this.tellReceipt(room, user, seq);
    }
    const counts = await this.ctx.store.reads.countAfter(user.id, room.id, seq);
    return { room: room.name, seq, ...counts };
  }

  /** The rooms with the user's unread counts set where the user has a marker (one query, plus markers moved here). */
  async withUnread(appId: AppId, user: UserRef, rooms: RoomView[]): Promise<RoomView[]> {
    const counts = await this.counts(appId, user.id, new Set(rooms.map((room) => room.id)));
    return rooms.map((room) => {
      const count = counts.get(room.id);
      return count ? { ...room, unread: count.unread, unreadMentions: count.unreadMentions } : room;
    });
  }

  private async counts(appId: AppId, userId: UserId, visible: Set<RoomId>): Promise<Map<RoomId, UnreadRow>> {
    const rows = await this.ctx.store.reads.unreadCounts(appId, userId);
    const counts = new Map(rows.map((row) => [row.roomId, row]));
    for (const [roomId, seq] of this.writer.pendingOf(appId, userId)) {
      const stored = counts.get(roomId);
      if (!visible.has(roomId) || (stored && stored.seq >= seq)) continue;
      counts.set(roomId, { roomId, seq, ...(await this.ctx.store.reads.countAfter(userId, roomId, seq)) });
    }
    return counts;
  }

  /** The operator's view: each room the user may see and has a marker in, with its marker and counts. */
  async unreadOf(appId: AppId, username: string): Promise<UserUnread> {
    const user = refOf(await this.deps.findUser(appId, username));
    const rooms = await this.deps.visibleRooms(appId, user);
    const counts = await this.counts(appId, user.id, new Set(rooms.map((room) => room.id)));
    const list = rooms.flatMap((room) => {
      const count = counts.get(room.id);
      if (!count) return [];
      const { seq, unread, unreadMentions } = count;
      return [{ room: room.name, roomId: room.id, seq, unread, unreadMentions }];
    });
    return { user, rooms: list };
  }

  /**
   * The room's readers (users with a marker, stored or not yet written here) and how far each has read, when
   * the app sets readReceiptsMaxRoomSize and the room has at most that many; null otherwise. `user` is
   * missing for a marker only this node knows yet.
   */
  private async readers(room: Room): Promise<Map<UserId, { user?: UserRef; seq: number }> | null> {
    const max = (await this.deps.getApp(room.appId)).settings.readReceiptsMaxRoomSize;
    if (max <= 0) return null;
    const rows = await this.ctx.store.reads.listMarkers(room.id, max + 1);
    const readers = new Map<UserId, { user?: UserRef; seq: number }>(
      rows.map(({ user, seq }) => [user.id, { user, seq }]),
    );
    for (const [userId, seq] of this.writer.pendingInRoom(room.appId, room.id)) {
      const known = readers.get(userId);
      readers.set(userId, known ? { ...known, seq: Math.max(known.seq, seq) } : { seq });
    }
    return readers.size <= max ? readers : null;
  }

  /** After a `read` moved a marker: the room hears it, where receipts are on (never fails the `read`). */
  private tellReceipt(room: Room, user: UserRef, seq: number): void {
    this.readers(room)
      .then((readers) => {
        if (readers) this.deps.roomEvent(room, { type: 'read_receipt', room: toRoomRef(room), user, seq });
      })
      .catch((err: unknown) =>
        this.ctx.logger.warn({ err, roomId: room.id }, 'telling a read receipt failed'),
      );
  }

  /** Who has read the room up to which seq, furthest first; null where receipts are off or the room too big. */
  async receipts(room: Room): Promise<{ receipts: ReadReceipt[] | null }> {
    const readers = await this.readers(room);
    if (readers === null) return { receipts: null };
    const receipts: ReadReceipt[] = [];
    for (const [userId, { user, seq }] of readers) {
      const ref = user ?? (await this.userRef(room.appId, userId));
      if (ref) receipts.push({ user: ref, seq });
    }
    receipts.sort((a, b) => b.seq - a.seq || a.user.id - b.user.id);
    return { receipts };
  }

  private async userRef(appId: AppId, userId: UserId): Promise<UserRef | null> {
    const user = await this.deps.getUser(appId, userId);
    return user ? refOf(user) : null;
  }

  /** Shutdown: the markers not yet written are written now. */
  stop(): Promise<void> {
    return this.writer.stop();
  }
}
