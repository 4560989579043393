import type { AppId, Message, MessageId, RoomId, UserId } from '../../core/types.js';

/** Whose eyes a search is for: the rooms they may see. */
export interface SearchViewer {
  userId: UserId;
  /** Admins and owners see private rooms they are not members of (as catalog.canSee says). */
  everyRoom: boolean;
}

export interface SearchRequest {
  appId: AppId;
  /**
   * The query's words (core/search.ts parseSearchQuery): letters and digits only, lower-case, at least one.
   * Every word must match; the store quotes each for its own query syntax.
   */
  words: readonly string[];
  /** The last word also matches as a prefix. */
  prefix: boolean;
  /** Only this room. */
  roomId?: RoomId;
  /** Public rooms plus the private rooms the viewer may see; null: every room of the app (the operator). */
  viewer: SearchViewer | null;
  /** Only messages with a smaller id (the cursor of the page before). */
  beforeId?: MessageId;
  limit: number;
}

export interface SearchRow {
  message: Message;
  roomName: string;
}

/**
 * The full-text index of messages (SQLite FTS5, PostgreSQL tsvector + GIN), kept up to date by the database on
 * every append, edit, delete and room removal. See docs/storage.md ("Search").
 */
export interface SearchIndex {
  /**
   * Messages of the app matching every word, newest first (by id), at most `limit`; never a deleted message,
   * never one of a room outside the viewer's. Served by the index, never by scanning the text.
   */
  search(request: SearchRequest): Promise<SearchRow[]>;
}
