/** Reports, the moderation queue and shadow mutes (docs/protocol.md [proto.reports], docs/moderation.md). */
import type { Ban, MessageView, RoomRef, UserRef } from './views.js';

export type ReportReason = 'spam' | 'abuse' | 'other';
/** Why a message is in the queue: a report's reason, or 'held' (held for review when it was posted). */
export type QueueReason = ReportReason | 'held';
export type ReportAction = 'dismiss' | 'delete' | 'mute' | 'ban';

export interface ReportRequest {
  room: string;
  id: number;
  reason: ReportReason;
  /** Up to 500 characters. */
  text?: string;
}

/** Your report as stored; `duplicate`: you had reported the message already (nothing changed). */
export interface ReportResult {
  messageId: number;
  reason: ReportReason;
  text: string;
  createdAt: number;
  duplicate: boolean;
}

export interface ReportEntry {
  /** Null once the reporter was removed. */
  reporter: UserRef | null;
  reason: ReportReason;
  text: string;
  createdAt: number;
}

/** The author of a queued message as a moderator weighs them. */
export interface AuthorSummary {
  user: UserRef;
  /** How many moderation records of each kind name the author (e.g. `{ mute: 2 }`). */
  record: Partial<
    Record<
      | 'mute'
      | 'unmute'
      | 'ban'
      | 'unban'
      | 'kick'
      | 'delete_message'
      | 'role'
      | 'pin'
      | 'unpin'
      | 'shadow_mute'
      | 'unshadow_mute'
      | 'report_resolved'
      | 'warn',
      number
    >
  >;
  muted: boolean;
  banned: boolean;
  shadowMuted: boolean;
}

export interface QueueEntry {
  room: RoomRef;
  /** The message as staff see it (marked with its visibility when not visible to everyone). */
  message: MessageView;
  /** Up to 2 messages before and 2 after it, oldest first. */
  context: MessageView[];
  status: 'open' | 'resolved';
  reason: QueueReason;
  openedAt: number;
  /** How many users reported it. */
  reporters: number;
  /** The first 20 reports, oldest first. */
  reports: ReportEntry[];
  /** Null when the author is gone. */
  author: AuthorSummary | null;
  resolution: ReportAction | null;
  /** The moderator's user id (null: the operator, or not resolved). */
  resolvedBy: number | null;
  resolvedAt: number | null;
  /** The reason the moderator gave ('' when none). */
  note: string;
}

export interface QueueRequest {
  /** Default 'open'. */
  status?: 'open' | 'resolved';
  /** The `nextCursor` of the page before (a message id). */
  before?: number;
  /** 1-50, default 20. */
  limit?: number;
  /** Only the entries of this room. */
  room?: string;
  /** Only entries opened for this reason ('held': held by the word filter). */
  reason?: 'spam' | 'abuse' | 'other' | 'held';
  /** Only messages holding these words, matched as `search` matches them (1-200 characters). */
  q?: string;
}

export interface QueuePage {
  /** Newest message first. */
  entries: QueueEntry[];
  nextCursor: number | null;
}

export interface ResolveRequest {
  id: number;
  action: ReportAction;
  /** For `mute` and `ban`: 1-525600; absent: until lifted. */
  minutes?: number;
  reason?: string;
}

/** A shadow mute: the same shape as a ban. */
export type ShadowMute = Ban;
