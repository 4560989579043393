/**
 * The statements of data protection that both stores run alike, written with PostgreSQL's `$n` parameters;
 * the SQLite store turns them into named ones (`sqliteParams`). Each section of an export reads one page of a
 * user's rows: $1 app, $2 user, $3 the cursor to start after, $4 the page size; `cursor` orders the pages.
 */
import type { ExportSection } from '../engine/ports/dataProtectionStore.js';

export const SECTION_SQL: Record<ExportSection, string> = {
  memberships: `SELECT rm.room_id AS cursor, rm.room_id AS "roomId", r.name AS room
    FROM room_members rm JOIN rooms r ON r.id = rm.room_id
    WHERE r.app_id = $1 AND rm.user_id = $2 AND rm.room_id > $3 ORDER BY rm.room_id LIMIT $4`,
  reactions: `SELECT x.id AS cursor, x.message_id AS "messageId", m.room_id AS "roomId", x.emoji,
      x.created_at AS "createdAt"
    FROM reactions x JOIN messages m ON m.id = x.message_id
    WHERE m.app_id = $1 AND x.user_id = $2 AND x.id > $3 ORDER BY x.id LIMIT $4`,
  readMarkers: `SELECT k.room_id AS cursor, k.room_id AS "roomId", r.name AS room, k.seq
    FROM read_markers k JOIN rooms r ON r.id = k.room_id
    WHERE k.app_id = $1 AND k.user_id = $2 AND k.room_id > $3 ORDER BY k.room_id LIMIT $4`,
  reports: `SELECT p.message_id AS cursor, p.message_id AS "messageId", m.room_id AS "roomId", p.reason,
      p.text, p.created_at AS "createdAt"
    FROM reports p JOIN messages m ON m.id = p.message_id
    WHERE m.app_id = $1 AND p.reporter_id = $2 AND p.message_id > $3 ORDER BY p.message_id LIMIT $4`,
  dms: `SELECT d.room_id AS cursor, d.room_id AS "roomId", o.username AS "with", d.created_at AS "createdAt"
    FROM dm_pairs d JOIN users o ON o.id = CASE WHEN d.low_id = $2 THEN d.high_id ELSE d.low_id END
    WHERE d.app_id = $1 AND (d.low_id = $2 OR d.high_id = $2) AND d.room_id > $3 ORDER BY d.room_id LIMIT $4`,
  blocks: `SELECT b.blocked_id AS cursor, o.username AS blocked, b.created_at AS "createdAt"
    FROM blocks b JOIN users o ON o.id = b.blocked_id
    WHERE b.app_id = $1 AND b.blocker_id = $2 AND b.blocked_id > $3 ORDER BY b.blocked_id LIMIT $4`,
  // The app-wide mute has no room: its cursor is 1, a room's is its id + 1 (cursors start after 0).
  mutes: `SELECT COALESCE(room_id, 0) + 1 AS cursor, room_id AS "roomId", reason, expires_at AS "expiresAt",
      created_at AS "createdAt"
    FROM mutes WHERE app_id = $1 AND user_id = $2 AND COALESCE(room_id, 0) + 1 > $3
    ORDER BY COALESCE(room_id, 0) LIMIT $4`,
  bans: `SELECT user_id AS cursor, reason, expires_at AS "expiresAt", created_at AS "createdAt"
    FROM bans WHERE app_id = $1 AND user_id = $2 AND user_id > $3 LIMIT $4`,
  shadowMutes: `SELECT user_id AS cursor, reason, expires_at AS "expiresAt", created_at AS "createdAt"
    FROM shadow_mutes WHERE app_id = $1 AND user_id = $2 AND user_id > $3 LIMIT $4`,
  strikes: `SELECT id AS cursor, source, reason, at, expires_at AS "expiresAt"
    FROM strikes WHERE app_id = $1 AND user_id = $2 AND id > $3 ORDER BY id LIMIT $4`,
  // The records about the user (they are the target); the moderator is left out.
  moderation: `SELECT id AS cursor, id, kind, room_id AS "roomId", detail, created_at AS "createdAt"
    FROM moderation WHERE app_id = $1 AND target_id = $2 AND id > $3 ORDER BY id LIMIT $4`,
};

/** What removing the user takes with it, counted first: $1 app, $2 user. */
export const REMOVED_COUNTS_SQL = `SELECT
    (SELECT COUNT(*) FROM access_tokens WHERE user_id = $2) AS tokens,
    (SELECT COUNT(*) FROM reactions WHERE user_id = $2) AS reactions,
    (SELECT COUNT(*) FROM read_markers WHERE user_id = $2) AS "readMarkers",
    (SELECT COUNT(*) FROM blocks WHERE blocker_id = $2) AS blocks,
    (SELECT COUNT(*) FROM room_members WHERE user_id = $2) AS memberships,
    (SELECT COUNT(*) FROM reports WHERE reporter_id = $2) AS reports
  FROM users WHERE app_id = $1 AND id = $2`;

/** A message written between the last erased batch and the removal gets the tombstone too: $1 app, $2 user. */
export const TOMBSTONE_STRAGGLERS_SQL = `UPDATE messages SET author_id = NULL, author_name = $3, client_msg_id = NULL
  WHERE app_id = $1 AND author_id = $2`;

export const REMOVE_USER_SQL = 'DELETE FROM users WHERE app_id = $1 AND id = $2';

/** The lease is taken when free, expired or already held by the holder: $1 name, $2 holder, $3 now, $4 until. */
export const TAKE_LEASE_SQL = `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $4)
  ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
  WHERE leases.holder = excluded.holder OR leases.expires_at <= $3
  RETURNING holder`;

/** `$n` as SQLite's named `@pn`, with the values to bind them. */
export function sqliteParams(text: string): string {
  return text.replace(/\$(\d+)/g, '@p$1');
}

export function sqliteValues(values: readonly unknown[]): Record<string, unknown> {
  return Object.fromEntries(values.map((value, i) => [`p${i + 1}`, value]));
}
