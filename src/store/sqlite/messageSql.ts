import { REPLY_COLUMNS, REPLY_JOINS } from '../replySql.js';

// The message read shared by the main connection's message log and the message writer (append.ts), which may
// run in a worker thread: a module of its own so that the worker loads no more than it needs.

// The users a message mentions, as they are now, in the order of the text (a JSON array; '[]' for none).
const MENTIONS = `(SELECT json_group_array(json_object('id', mu.id, 'username', mu.username, 'role', mu.role)
                   ORDER BY mm.pos)
          FROM message_mentions mm JOIN users mu ON mu.id = mm.user_id WHERE mm.message_id = m.id) AS mentions`;

// The author is joined on every read, so a message shows its author's current name and role; the name copied
// at send time (author_name) only speaks for an author that was removed.
// A reply also reads its parent as it is now (replySql.ts).
export const COLUMNS = `
  m.id, m.app_id, m.room_id, m.seq, m.kind, m.author_id, u.username AS author_username,
  u.role AS author_role, u.display_name AS author_display_name, u.avatar_url AS author_avatar_url, u.kind AS author_kind,
  m.author_name, m.text, m.html, m.client_msg_id, m.created_at, m.edited_at, m.deleted_at, m.visibility,
  ${REPLY_COLUMNS}, ${MENTIONS}`;
/** What follows `FROM messages m` in every read. */
export const JOINS = `LEFT JOIN users u ON u.id = m.author_id ${REPLY_JOINS}`;
export const SELECT = `SELECT ${COLUMNS} FROM messages m ${JOINS}`;

// A mentioned user removed since the mention was resolved is skipped (no row to select).
export const INSERT_MENTION = `INSERT INTO message_mentions (message_id, user_id, room_id, seq, pos)
       SELECT @messageId, id, @roomId, @seq, @pos FROM users WHERE id = @userId`;
