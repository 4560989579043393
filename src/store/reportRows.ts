/**
 * Reports, queue entries and shadow mutes as both stores read them. The SQL is the same in both stores but for
 * the placeholders: each statement here is written with `$n` (PostgreSQL) and SQLite reads it with `@pn`.
 */
import { ParleyError } from '../core/errors.js';
import { profileFields } from '../core/profiles.js';
import { REPORT_ACTIONS, REPORT_REASONS, type QueueReason } from '../core/reports.js';
import { ROLES } from '../core/roles.js';
import type { ModerationKind, UserRef } from '../core/types.js';
import type { QueueEntryRecord, QueueFilter, ReportRecord } from '../engine/ports/reportStore.js';

const QUEUE_COLUMNS = `q.app_id, q.room_id, q.message_id, q.status, q.reason, q.opened_at, q.resolution,
  q.resolved_by, q.resolved_at, q.note,
  (SELECT count(*) FROM reports r WHERE r.message_id = q.message_id) AS reporters`;

/**
 * The queue listing; `match` is each store's own clause testing `q.message_id` against its text index with
 * parameter $7 (the words, quoted for that index). A null room ($5) or reason ($6) leaves the filter open.
 */
export function queueSql(match = ''): string {
  return `SELECT ${QUEUE_COLUMNS} FROM report_queue q
          WHERE q.app_id = $1 AND q.status = $2 AND q.message_id < $3
            AND q.room_id = COALESCE($5, q.room_id) AND q.reason = COALESCE($6, q.reason) ${match}
          ORDER BY q.message_id DESC LIMIT $4`;
}

/**
 * The queue listing's values in the order of its placeholders, the words last ($7) quoted by the store's
 * `quote` when there is a match; null when the match has no words (it finds nothing).
 */
export function queueValues(
  appId: number,
  f: QueueFilter,
  noBound: number,
  quote: (words: readonly string[], prefix: boolean) => string,
): unknown[] | null {
  if (f.match && f.match.words.length === 0) return null;
  const values = [appId, f.status, f.before ?? noBound, f.limit, f.roomId ?? null, f.reason ?? null];
  return f.match ? [...values, quote(f.match.words, f.match.prefix)] : values;
}

export const REPORT_SQL = {
  entry: `SELECT ${QUEUE_COLUMNS} FROM report_queue q WHERE q.app_id = $1 AND q.message_id = $2`,
  queue: queueSql(),
  message: 'SELECT id FROM messages WHERE room_id = $1 AND id = $2',
  report: `SELECT r.message_id, r.reason, r.text, r.created_at, u.id AS reporter_id, u.username, u.role,
             u.display_name, u.avatar_url
           FROM reports r LEFT JOIN users u ON u.id = r.reporter_id
           WHERE r.message_id = $1 AND r.reporter_id = $2`,
  reports: `SELECT r.message_id, r.reason, r.text, r.created_at, u.id AS reporter_id, u.username, u.role,
              u.display_name, u.avatar_url
            FROM reports r LEFT JOIN users u ON u.id = r.reporter_id
            WHERE r.message_id = $1 ORDER BY r.created_at, r.reporter_id LIMIT $2`,
  insertReport: `INSERT INTO reports (message_id, reporter_id, reason, text, created_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (message_id, reporter_id) DO NOTHING`,
  // A new report opens the entry, or reopens a resolved one (its resolution is cleared: it is open again).
  openEntry: `INSERT INTO report_queue (message_id, app_id, room_id, status, reason, opened_at)
              VALUES ($1, $2, $3, 'open', $4, $5)
              ON CONFLICT (message_id) DO UPDATE SET status = 'open', opened_at = excluded.opened_at,
                resolution = NULL, resolved_by = NULL, resolved_at = NULL, note = ''
              WHERE report_queue.status <> 'open'`,
  established: `SELECT count(*) AS n FROM reports r JOIN users u ON u.id = r.reporter_id
                WHERE r.message_id = $1 AND u.kind <> 'guest' AND u.role <> 'guest' AND u.created_at <= $2`,
  resolve: `UPDATE report_queue SET status = 'resolved', resolution = $3, resolved_by = $4, resolved_at = $5,
              note = $6
            WHERE app_id = $1 AND message_id = $2 AND status = 'open'`,
  setVisibility: 'UPDATE messages SET visibility = $3 WHERE room_id = $1 AND id = $2',
  moderationCounts: `SELECT kind, count(*) AS n FROM moderation WHERE app_id = $1 AND target_id = $2
                     GROUP BY kind`,
  putShadowMute: `INSERT INTO shadow_mutes (app_id, user_id, expires_at, reason, by_id, created_at)
                  VALUES ($1, $2, $3, $4, $5, $6)
                  ON CONFLICT (app_id, user_id) DO UPDATE SET expires_at = excluded.expires_at,
                    reason = excluded.reason, by_id = excluded.by_id, created_at = excluded.created_at`,
  deleteShadowMute: 'DELETE FROM shadow_mutes WHERE app_id = $1 AND user_id = $2',
  listShadowMutes: `SELECT app_id, user_id, expires_at, reason, by_id, created_at FROM shadow_mutes
                    WHERE app_id = $1 AND (expires_at IS NULL OR expires_at > $2)`,
} as const;

/** The statement with named placeholders (`@p1`) for PostgreSQL's (`$1`), which SQLite reads as they are. */
export function sqliteText(text: string): string {
  return text.replace(/\$(\d+)/g, '@p$1');
}

/** Positional values as the named parameters of sqliteText (`@p1` is the first). */
export function sqliteParams(values: readonly unknown[]): Record<string, unknown> {
  return Object.fromEntries(values.map((value, i) => [`p${i + 1}`, value]));
}

export interface QueueRow {
  app_id: number;
  room_id: number;
  message_id: number;
  status: string;
  reason: string;
  opened_at: number;
  resolution: string | null;
  resolved_by: number | null;
  resolved_at: number | null;
  note: string;
  reporters: number;
}

export interface ReportRow {
  message_id: number;
  reason: string;
  text: string;
  created_at: number;
  reporter_id: number | null;
  username: string | null;
  role: string | null;
  display_name: string | null;
  avatar_url: string | null;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ParleyError('internal', `stored ${what} has an unknown value`);
}

const QUEUE_REASONS: readonly QueueReason[] = [...REPORT_REASONS, 'held'];

export function toQueueEntry(row: QueueRow): QueueEntryRecord {
  return {
    appId: row.app_id,
    roomId: row.room_id,
    messageId: row.message_id,
    status: oneOf(row.status, ['open', 'resolved'] as const, 'queue status'),
    reason: oneOf(row.reason, QUEUE_REASONS, 'queue reason'),
    openedAt: row.opened_at,
    reporters: Number(row.reporters),
    resolution: row.resolution === null ? null : oneOf(row.resolution, REPORT_ACTIONS, 'resolution'),
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at,
    note: row.note,
  };
}

export function toReport(row: ReportRow): ReportRecord {
  const role = ROLES.find((r) => r === row.role);
  const reporter: UserRef | null =
    row.reporter_id !== null && row.username !== null && role !== undefined
      ? {
          id: row.reporter_id,
          username: row.username,
          role,
          ...profileFields({ displayName: row.display_name, avatarUrl: row.avatar_url }),
        }
      : null;
  return {
    messageId: row.message_id,
    reporter,
    reason: oneOf(row.reason, REPORT_REASONS, 'report reason'),
    text: row.text,
    createdAt: row.created_at,
  };
}

export function toModerationCounts(
  rows: { kind: string; n: number }[],
): Partial<Record<ModerationKind, number>> {
  const counts: Partial<Record<ModerationKind, number>> = {};
  for (const row of rows) counts[row.kind as ModerationKind] = Number(row.n);
  return counts;
}
