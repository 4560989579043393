import type { QueueReason, ReportAction, ReportReason } from '../../core/reports.js';
import type { SearchTerms } from '../../core/search.js';
import type {
  AppId,
  Ban,
  Message,
  MessageId,
  MessageVisibility,
  ModerationKind,
  RoomId,
  UserId,
  UserRef,
} from '../../core/types.js';
import type { EventOutbox } from './webhookStore.js';

/** One user's report of one message (at most one per user and message). */
export interface ReportRecord {
  messageId: MessageId;
  /** Null once the reporter was removed. */
  reporter: UserRef | null;
  reason: ReportReason;
  text: string;
  createdAt: number;
}

export type QueueStatus = 'open' | 'resolved';

export interface QueueFilter {
  status: QueueStatus;
  before?: MessageId;
  limit: number;
  roomId?: RoomId;
  reason?: QueueReason;
  match?: SearchTerms;
}

/** A message in the moderation queue: reported, or held for review; open until a moderator resolves it. */
export interface QueueEntryRecord {
  appId: AppId;
  roomId: RoomId;
  messageId: MessageId;
  status: QueueStatus;
  /** The first reason it entered the queue with: the first report's, or 'held'. */
  reason: QueueReason;
  openedAt: number;
  /** How many users reported it (exact). */
  reporters: number;
  resolution: ReportAction | null;
  resolvedBy: UserId | null;
  resolvedAt: number | null;
  /** The moderator's reason for the resolution ('' when none). */
  note: string;
}

export interface NewReport {
  appId: AppId;
  roomId: RoomId;
  messageId: MessageId;
  reporterId: UserId;
  reason: ReportReason;
  text: string;
  at: number;
  /** Reporters that are accounts (not guests) created at or before this count as established. */
  establishedBefore: number;
}

export interface ReportOutcome {
  /** False when the user had reported the message already: `report` is that report, nothing changed. */
  added: boolean;
  report: ReportRecord;
  entry: QueueEntryRecord;
  /** How many of the message's reporters are established (see NewReport.establishedBefore). */
  established: number;
}

export interface NewResolution {
  action: ReportAction;
  by: UserId | null;
  at: number;
  note: string;
}

/** A shadow mute: the user's new messages are stored as 'shadow' (seen by them and staff only). */
export type ShadowMute = Ban;

/**
 * Reports, the moderation queue, message visibility and shadow mutes (`store.reports`). Every implementation
 * passes test/store/contract-reports.ts.
 */
export interface ReportStore {
  /**
   * Stores the report and opens the message's queue entry (or reopens a resolved one), atomically; a second
   * report by the same user changes nothing and answers the first. `not_found` when the message is not in
   * the room. `outbox`: the `report.created` events, made from the entry and written in the same
   * transaction when the report was added.
   */
  add(input: NewReport, outbox?: EventOutbox<QueueEntryRecord>): Promise<ReportOutcome>;
  /**
   * Opens the queue entry of a message held for review (reason 'held'); one already open is kept. `outbox` as
   * for add, written with the entry.
   */
  hold(
    appId: AppId,
    roomId: RoomId,
    messageId: MessageId,
    at: number,
    outbox?: EventOutbox<QueueEntryRecord>,
  ): Promise<QueueEntryRecord>;
  /** Sets who may see the message; `not_found` when it is not in the room. */
  setVisibility(roomId: RoomId, messageId: MessageId, visibility: MessageVisibility): Promise<Message>;
  /**
   * Queue entries of the app with the status, newest message first, those with a message id below `before`;
   * narrowed to a room, a reason, and messages holding the words of `match` (as search finds them: never
   * syntax). A `match` without words finds nothing.
   */
  queue(appId: AppId, opts: QueueFilter): Promise<QueueEntryRecord[]>;
  entry(appId: AppId, messageId: MessageId): Promise<QueueEntryRecord | null>;
  /** The message's reports, oldest first, at most `limit`. */
  reports(messageId: MessageId, limit: number): Promise<ReportRecord[]>;
  /** Resolves the entry if it is open (atomically: two moderators cannot both resolve it); null otherwise. */
  resolve(appId: AppId, messageId: MessageId, resolution: NewResolution): Promise<QueueEntryRecord | null>;
  /** How many moderation records of each kind name the user as their target. */
  moderationCounts(appId: AppId, userId: UserId): Promise<Partial<Record<ModerationKind, number>>>;
  /** One per (app, user); putting it again replaces it. */
  putShadowMute(mute: ShadowMute): Promise<void>;
  /** True when there was one to delete. */
  deleteShadowMute(appId: AppId, userId: UserId): Promise<boolean>;
  /** The shadow mutes in force at `now`. */
  listShadowMutes(appId: AppId, now: number): Promise<ShadowMute[]>;
}
