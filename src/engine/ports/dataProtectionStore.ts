import type { AppId, Message, MessageId, RoomId, UserId } from '../../core/types.js';

/**
 * What data protection needs of storage (`store.dataProtection`): a user's records read page by page for an
 * export, a user erased in bounded steps, the record of erasures, the retention purge, and a lease that lets
 * one node of a cluster run a job at a time. Every read and write is bounded by its `limit`.
 */

/** The sections of an export that are read as rows (messages are read as messages). */
export const EXPORT_SECTIONS = [
  'memberships',
  'reactions',
  'readMarkers',
  'reports',
  'dms',
  'blocks',
  'mutes',
  'bans',
  'shadowMutes',
  'strikes',
  'moderation',
] as const;
export type ExportSection = (typeof EXPORT_SECTIONS)[number];

/** One row of a section and the cursor to read the next page after it. */
export interface ExportRow {
  cursor: number;
  row: Record<string, unknown>;
}

export type ErasureMode = 'delete' | 'anonymise';

/** A message an erasure or a purge touched. */
export interface TouchedMessage {
  roomId: RoomId;
  id: MessageId;
}

/** What went with the user row: counts only, never contents. */
export interface RemovedUserCounts {
  tokens: number;
  reactions: number;
  readMarkers: number;
  blocks: number;
  memberships: number;
  reports: number;
}

export interface ErasureRecord {
  id: number;
  appId: AppId;
  at: number;
  /** Who asked (the admin API's actor). */
  actor: string;
  /** The id the user had; ids are never handed out again. */
  userId: UserId;
  /** sha256 of "<app id>:<username key>" (core/dataProtection.ts), to answer "was this user erased?". */
  usernameHash: string;
  messages: ErasureMode;
  counts: Record<string, number>;
}

export interface DataProtectionStore {
  /** The user's messages in every room of the app (DMs too, deleted ones too), by id, after `afterId`. */
  messagesBy(appId: AppId, userId: UserId, opts: { afterId: number; limit: number }): Promise<Message[]>;
  /** One page of a section of the user's records, in cursor order, after `after`. */
  section(
    appId: AppId,
    userId: UserId,
    section: ExportSection,
    opts: { after: number; limit: number },
  ): Promise<ExportRow[]>;
  /**
   * Up to `limit` of the user's messages, in one transaction: their author becomes the tombstone "deleted
   * user" (ERASED_AUTHOR_NAME, no user id) and, with 'delete', they are deleted as MessageLog.remove deletes
   * (text cleared, quotes of them cleared) with their reactions and mentions. Answers the messages touched;
   * none left when fewer than `limit` come back.
   */
  eraseMessages(
    appId: AppId,
    userId: UserId,
    mode: ErasureMode,
    opts: { now: number; limit: number },
  ): Promise<TouchedMessage[]>;
  /**
   * Removes the user row in one transaction (tokens, profile, reactions, read markers, blocks, memberships,
   * DM pairs, reports made, mutes, bans, strikes go with it; a message written meanwhile gets the tombstone).
   * Null when the user does not exist.
   */
  removeUser(appId: AppId, userId: UserId): Promise<RemovedUserCounts | null>;
  recordErasure(entry: Omit<ErasureRecord, 'id'>): Promise<ErasureRecord>;
  /** Newest first, paged by id. */
  listErasures(appId: AppId, opts: { limit: number; beforeId?: number }): Promise<ErasureRecord[]>;
  /** The room's retention as stored: undefined the app's, null forever, else days. */
  setRoomRetention(appId: AppId, roomId: RoomId, days: number | null | undefined): Promise<void>;
  /**
   * Removes up to `limit` messages of the room created before `before`, oldest first, in one transaction, with
   * what hangs on them (reactions, pins, mentions, reports, the search index); replies left behind keep no
   * quote of them. Answers the ids removed.
   */
  purgeRoom(roomId: RoomId, before: number, limit: number): Promise<MessageId[]>;
  /**
   * Takes or renews the named lease for `holder` until `now + ttlMs`: true when it is `holder`'s now (it was
   * free, expired, or already held by `holder`). Atomic across nodes sharing the database.
   */
  takeLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean>;
}
