import type { QueueReason, ReportAction, ReportReason } from '../core/reports.js';
import type { ModerationKind, UserRef } from '../core/types.js';
import type { MessageView, RoomRef } from './events.js';
import type { QueueStatus, ShadowMute } from './ports/reportStore.js';

/** What reports and the moderation queue (reports.ts) answer: the views sessions and the admin API hand out. */

/** What a report answers: the report as stored, and whether it was there already (nothing changed then). */
export interface ReportResult {
  messageId: number;
  reason: ReportReason;
  text: string;
  createdAt: number;
  duplicate: boolean;
}

/** One report as moderators see it. */
export interface ReportEntry {
  reporter: UserRef | null;
  reason: ReportReason;
  text: string;
  createdAt: number;
}

/** The author's standing, for the moderator deciding: the records that name them, what is in force now. */
export interface AuthorSummary {
  user: UserRef;
  /** How many moderation records of each kind name the author. */
  record: Partial<Record<ModerationKind, number>>;
  muted: boolean;
  banned: boolean;
  shadowMuted: boolean;
}

/** A queue entry as moderators see it: the message (marked), a few around it, the reports, the author. */
export interface QueueEntryView {
  room: RoomRef;
  message: MessageView;
  /** Up to QUEUE_CONTEXT messages before and after it, oldest first (as staff see them). */
  context: MessageView[];
  status: QueueStatus;
  reason: QueueReason;
  openedAt: number;
  reporters: number;
  /** The first QUEUE_REPORTERS_MAX reports, oldest first. */
  reports: ReportEntry[];
  /** Null for a message whose author is gone. */
  author: AuthorSummary | null;
  resolution: ReportAction | null;
  resolvedBy: number | null;
  resolvedAt: number | null;
  note: string;
}

export interface QueuePage {
  entries: QueueEntryView[];
  /** Pass as `before` for the next page; null at the end. */
  nextCursor: number | null;
}

export interface QueueQuery {
  status?: QueueStatus;
  before?: number;
  limit?: number;
  /** Only the entries of this room (by name). */
  room?: string;
  /** Only entries opened for this reason ('held': held by the filter). */
  reason?: string;
  /** Only messages holding these words, as search matches them (docs/storage.md, "Search"). */
  q?: string;
}

export interface ResolveInput {
  action: unknown;
  minutes?: unknown;
  reason?: unknown;
}

/** A session's reports and, for staff (mods and above; `forbidden` otherwise), the queue and shadow mutes. */
export interface SessionReportsApi {
  /** Reports a message of a room the user may see; a second report by the same user answers the first. */
  report(room: string, messageId: number, input: { reason: string; text?: string }): Promise<ReportResult>;
  /** The moderation queue, newest message first (staff). */
  queue(query: QueueQuery): Promise<QueuePage>;
  /** Resolves an open entry: dismiss, delete the message, mute or ban its author (staff). */
  resolve(messageId: number, input: ResolveInput): Promise<QueueEntryView>;
  /** The user's new messages are seen only by them and staff until lifted (held to the role order). */
  shadowMute(target: string, opts: { minutes?: number; reason?: string }): Promise<ShadowMute>;
  unshadowMute(target: string): Promise<void>;
}
