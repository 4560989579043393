/**
 * The part of a message read that both stores share for replies: the reply's own columns and its parent joined
 * as it is now (author, deletion). `m` is the message read; the parent is `p`, its author `pu`.
 */
export const REPLY_COLUMNS = `m.reply_to_id, m.reply_excerpt, m.reply_count, p.author_id AS reply_author_id,
  pu.username AS reply_author_username, pu.role AS reply_author_role, pu.display_name AS reply_author_display_name,
  pu.avatar_url AS reply_author_avatar_url, p.author_name AS reply_author_name,
  p.kind AS reply_kind, p.deleted_at AS reply_deleted_at, p.id IS NOT NULL AS reply_found`;

export const REPLY_JOINS = `LEFT JOIN messages p ON p.id = m.reply_to_id LEFT JOIN users pu ON pu.id = p.author_id`;
