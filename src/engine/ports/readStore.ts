import type { AppId, RoomId, User, UserId, UserRef } from '../../core/types.js';

/** One user's read marker in one room: every message with a seq up to `seq` counts as read. */
export interface MarkerWrite {
  appId: AppId;
  userId: UserId;
  roomId: RoomId;
  seq: number;
  /** Only create the marker (at `seq`) when the user has none in the room; never move one that exists. */
  createOnly: boolean;
}

/** A room's unread messages for one user, after the user's marker there. */
export interface UnreadRow {
  roomId: RoomId;
  /** The marker. */
  seq: number;
  /** Messages after the marker that the user did not write and that are not deleted. */
  unread: number;
  /** Those of them that mention the user. */
  unreadMentions: number;
}

/** One reader of a room and the seq they have read up to (read receipts). */
export interface ReceiptRow {
  user: UserRef;
  seq: number;
}

/**
 * Read markers and the mention look-ups (the mentions themselves are stored with their message: see
 * NewMessage.mentions). Every implementation passes test/store/contract-read.ts.
 */
export interface ReadStateStore {
  /** The users of the app with these names (case-insensitive), in one query; names with no user are left out. */
  findUsersByNames(appId: AppId, usernames: readonly string[]): Promise<User[]>;
  /** The user's marker in the room; null when there is none. */
  getMarker(userId: UserId, roomId: RoomId): Promise<number | null>;
  /**
   * Writes markers in one transaction: each is created when missing and otherwise moved forward only
   * (a lower seq leaves it where it is); `createOnly` ones are never moved. A marker of a room or user that no
   * longer exists is skipped.
   */
  saveMarkers(writes: readonly MarkerWrite[]): Promise<void>;
  /** The user's marker and unread counts in every room of the app where the user has a marker (one query). */
  unreadCounts(appId: AppId, userId: UserId): Promise<UnreadRow[]>;
  /** The unread counts in one room as if the user's marker were at `seq`. */
  countAfter(
    userId: UserId,
    roomId: RoomId,
    seq: number,
  ): Promise<{ unread: number; unreadMentions: number }>;
  /** Up to `limit` markers of the room with their users: the furthest read first, then by user id. */
  listMarkers(roomId: RoomId, limit: number): Promise<ReceiptRow[]>;
}
