import { messageNotFound, roomNotFound, slowMode } from '../../core/failures.js';
import { slowModeWait } from '../../core/slowMode.js';
import type { Message, MessageId, RoomId } from '../../core/types.js';
import { replyExcerpt, replyParentNotFound } from '../../core/replies.js';
import { REPLY_COLUMNS, REPLY_JOINS } from '../replySql.js';
import { toMessage } from '../rows.js';
import type { MessageRow } from '../rows.js';
import type { AppendResult, MessageLog, NewMessage } from '../../engine/ports/store.js';
import type { MessageOutbox } from '../../engine/ports/webhookStore.js';
import { appendBatcher, outboxRows } from './appendBatch.js';
import type { AppendBatcher } from './appendBatcher.js';
import { messageDeliveries } from '../../core/messageOutbox.js';
import { sql, type Db, type Tx } from './db.js';
import { writeOutbox } from './webhooks.js';

/** An open upper bound for `seq < $n`. */
const NO_BOUND = Number.MAX_SAFE_INTEGER;

function pageSize(limit: number): number {
  return Math.max(Math.trunc(limit), 0);
}

// The author is joined on every read, so a message shows its author's current name and role; the name copied
// at send time (author_name) only speaks for an author that was removed. `FROM` is left to each statement: a
// table, or the rows a data-changing CTE returned.
// A reply also reads its parent as it is now (replySql.ts).
export const COLUMNS = `m.id, m.app_id, m.room_id, m.seq, m.kind, m.author_id, u.username AS author_username,
  u.role AS author_role, u.display_name AS author_display_name, u.avatar_url AS author_avatar_url, u.kind AS author_kind,
  m.author_name, m.text, m.html, m.client_msg_id, m.created_at, m.edited_at,
  m.deleted_at, m.visibility, ${REPLY_COLUMNS},
  -- The users a message mentions, as they are now, in the order of the text (a JSON array, '[]' for none).
  (SELECT COALESCE(json_agg(json_build_object('id', mu.id, 'username', mu.username, 'role', mu.role)
                            ORDER BY mm.pos), '[]'::json)
   FROM message_mentions mm JOIN users mu ON mu.id = mm.user_id WHERE mm.message_id = m.id) AS mentions`;
/** What follows `FROM messages m` (or a CTE named m) in every read. */
export const JOINS = `LEFT JOIN users u ON u.id = m.author_id ${REPLY_JOINS}`;
export const SELECT = `SELECT ${COLUMNS} FROM messages m ${JOINS}`;
const RETURNING = `RETURNING id, app_id, room_id, seq, kind, author_id, author_name, text, html, client_msg_id,
  created_at, edited_at, deleted_at, reply_to_id, reply_excerpt, reply_count, visibility`;

const q = {
  byId: sql('msg.by-id', `${SELECT} WHERE m.room_id = $1 AND m.id = $2`),
  byIds: sql('msg.by-ids', `${SELECT} WHERE m.id = ANY($1::bigint[])`),
  byClientId: sql(
    'msg.by-client-id',
    `${SELECT} WHERE m.room_id = $1 AND m.author_id = $2 AND m.client_msg_id = $3`,
  ),
  // Bumps the room's counter and takes the room row's lock until the transaction ends: every writer of this
  // room, on any node, waits here for the one before it to commit or roll back, so seqs are handed out in
  // commit order with no gaps. Writers of other rooms lock other rows and do not wait. No row means the room
  // does not exist (or is in another app).
  nextSeq: sql(
    'msg.next-seq',
    'UPDATE rooms SET last_seq = last_seq + 1 WHERE id = $1 AND app_id = $2 RETURNING last_seq, slow_mode_seconds',
  ),
  // Read after nextSeq: every earlier append of this room (on any node) has committed or rolled back by then.
  lastByAuthor: sql(
    'msg.last-by-author',
    'SELECT MAX(created_at) AS last_at FROM messages WHERE room_id = $1 AND author_id = $2',
  ),
  // DO NOTHING on the clientMsgId index (and only that one: a clash on (room_id, seq) would be a bug and must
  // fail loudly). No row back means another transaction committed the same (room, author, clientMsgId) first.
  insert: sql(
    'msg.insert',
    `WITH m AS (
       INSERT INTO messages (app_id, room_id, seq, kind, author_id, author_name, text, html, client_msg_id,
                             created_at, reply_to_id, reply_excerpt, visibility)
       VALUES ($1, $2, $3, $4, $5, (SELECT username FROM users WHERE id = $5), $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (room_id, author_id, client_msg_id) WHERE client_msg_id IS NOT NULL DO NOTHING
       ${RETURNING}
     )
     SELECT ${COLUMNS} FROM m ${JOINS}`,
  ),
  // A deleted message stays deleted: an edit racing a delete must not bring the text back.
  edit: sql(
    'msg.edit',
    `WITH m AS (
       UPDATE messages SET text = $3, html = $4, edited_at = $5
       WHERE room_id = $1 AND id = $2 AND deleted_at IS NULL
       ${RETURNING}
     )
     SELECT ${COLUMNS} FROM m ${JOINS}`,
  ),
  // Deleting twice keeps the first deletedAt. client_msg_id stays, so a late retry of the send still finds the
  // original instead of posting the text again.
  // The replies to a deleted message keep no copy of its text.
  remove: sql(
    'msg.remove',
    `WITH cleared AS (
       UPDATE messages SET reply_excerpt = '' WHERE room_id = $1 AND reply_to_id = $2
     ), m AS (
       UPDATE messages SET text = '', html = '', deleted_at = COALESCE(deleted_at, $3)
       WHERE room_id = $1 AND id = $2
       ${RETURNING}
     )
     SELECT ${COLUMNS} FROM m ${JOINS}`,
  ),
  ascending: sql(
    'msg.ascending',
    `${SELECT} WHERE m.room_id = $1 AND m.seq > $2 AND m.seq < $3 ORDER BY m.seq ASC LIMIT $4`,
  ),
  newest: sql('msg.newest', `${SELECT} WHERE m.room_id = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3`),
  lastSeq: sql('msg.last-seq', 'SELECT last_seq FROM rooms WHERE id = $1'),
  // A reply's parent (a message of the same room that is not deleted) counts it; locking the parent's row until
  // the reply commits, so that a deletion of the parent waits for it, then clears its quote.
  countReply: sql(
    'msg.count-reply',
    `UPDATE messages SET reply_count = reply_count + 1 WHERE room_id = $1 AND id = $2 AND deleted_at IS NULL
     RETURNING text`,
  ),
  clearMentions: sql('msg.clearMentions', 'DELETE FROM message_mentions WHERE message_id = $1'),
  // A mentioned user removed since the mention was resolved is skipped (the join finds no row).
  mentions: sql(
    'msg.mentions',
    `INSERT INTO message_mentions (message_id, user_id, room_id, seq, pos)
     SELECT $1::bigint, u.id, $2::bigint, $3::bigint, t.pos FROM unnest($4::bigint[]) WITH ORDINALITY AS t(user_id, pos)
     JOIN users u ON u.id = t.user_id`,
  ),
};

/** The message's webhook events written in the running transaction. */
async function told(tx: Tx, message: Message, outbox: MessageOutbox | undefined): Promise<Message> {
  if (outbox) await writeOutbox(tx, messageDeliveries(outbox, message));
  return message;
}

/** A new message's webhook events written in the running transaction. */
async function stored(tx: Tx, input: NewMessage, message: Message): Promise<Message> {
  await writeOutbox(tx, outboxRows(input, message));
  return message;
}

export class PostgresMessageLog implements MessageLog {
  private readonly batcher: AppendBatcher<NewMessage, AppendResult> | null;

  /** `batched: false` stores each append in a transaction of its own (appendOne), as before group commit. */
  constructor(
    private readonly db: Db,
    opts: { batched?: boolean } = {},
  ) {
    this.batcher = opts.batched === false ? null : appendBatcher(db, q.byIds);
  }

  /** Group commit (appendBatch.ts): appends that arrive while a batch is stored go out together as the next. */
  async append(input: NewMessage): Promise<AppendResult> {
    return this.batcher ? this.batcher.submit(input) : this.appendOne(input);
  }

  /**
   * One transaction: look for the clientMsgId, take the room's next seq (which locks the room row), insert.
   *
   * The first look is only a fast path: two nodes retrying the same send can both find nothing. The second then
   * waits on the room row until the first commits, and its insert meets the first's row in the unique index:
   * ON CONFLICT DO NOTHING returns no row, the transaction is rolled back (giving the seq back) and the first's
   * message is returned as a duplicate.
   */
  private async appendOne(input: NewMessage): Promise<AppendResult> {
    const dedup = input.authorId !== null && input.clientMsgId !== null;
    return this.db.transaction(async (tx) => {
      if (dedup) {
        const original = await this.original(tx, input);
        if (original) return { message: original, duplicate: true };
      }
      const [counter] = await tx.query<{ last_seq: number; slow_mode_seconds: number }>(q.nextSeq, [
        input.roomId,
        input.appId,
      ]);
      if (!counter) throw roomNotFound();
      if (input.slowMode === true && input.authorId !== null && counter.slow_mode_seconds > 0) {
        await this.holdToSlowMode(tx, input, counter.slow_mode_seconds);
      }
      const replyTo = input.replyTo ?? null;
      let excerpt: string | null = null;
      if (replyTo !== null) {
        const [parent] = await tx.query<{ text: string }>(q.countReply, [input.roomId, replyTo]);
        if (!parent) throw replyParentNotFound();
        excerpt = replyExcerpt(parent.text);
      }
      const [row] = await tx.query<MessageRow>(q.insert, [
        input.appId,
        input.roomId,
        counter.last_seq,
        input.kind,
        input.authorId,
        input.text,
        input.html,
        input.clientMsgId,
        input.createdAt,
        replyTo,
        excerpt,
        input.visibility ?? 'visible',
      ]);
      if (row && input.mentions && input.mentions.length > 0) {
        await tx.query(q.mentions, [row.id, input.roomId, counter.last_seq, input.mentions]);
        const [read] = await tx.query<MessageRow>(q.byId, [input.roomId, row.id]);
        return { message: await stored(tx, input, toMessage(read ?? row)), duplicate: false };
      }
      if (row) return { message: await stored(tx, input, toMessage(row)), duplicate: false };
      // Lost the race to another transaction with the same clientMsgId: undo the seq, return the winner. The
      // winner has committed (DO NOTHING waits for it otherwise), so this statement's snapshot sees its row.
      tx.rollbackInstead();
      const winner = dedup ? await this.original(tx, input) : null;
      if (!winner) throw new Error('insert into messages conflicted without a matching clientMsgId');
      return { message: winner, duplicate: true };
    });
  }

  /** Throws `slow_mode` (rolling back, so the seq is given back) while the author's last message is too young. */
  private async holdToSlowMode(tx: Tx, input: NewMessage, seconds: number): Promise<void> {
    const [row] = await tx.query<{ last_at: string | number | null }>(q.lastByAuthor, [
      input.roomId,
      input.authorId,
    ]);
    const lastAt = row?.last_at === null || row?.last_at === undefined ? null : Number(row.last_at);
    const wait = slowModeWait(seconds, lastAt, input.createdAt);
    if (wait > 0) throw slowMode(wait, seconds);
  }

  private async original(tx: Tx, input: NewMessage): Promise<Message | null> {
    const [row] = await tx.query<MessageRow>(q.byClientId, [input.roomId, input.authorId, input.clientMsgId]);
    return row ? toMessage(row) : null;
  }

  async get(roomId: RoomId, id: MessageId): Promise<Message | null> {
    const [row] = await this.db.query<MessageRow>(q.byId, [roomId, id]);
    return row ? toMessage(row) : null;
  }

  async edit(...args: Parameters<MessageLog['edit']>): Promise<Message> {
    const [roomId, id, text, html, editedAt, mentions, outbox] = args;
    if (mentions === undefined && outbox === undefined) {
      const [row] = await this.db.query<MessageRow>(q.edit, [roomId, id, text, html, editedAt]);
      if (!row) throw messageNotFound();
      return toMessage(row);
    }
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<MessageRow>(q.edit, [roomId, id, text, html, editedAt]);
      if (!row) throw messageNotFound();
      if (mentions === undefined) return told(tx, toMessage(row), outbox);
      await tx.query(q.clearMentions, [id]);
      if (mentions.length > 0) await tx.query(q.mentions, [id, roomId, row.seq, mentions]);
      const [read] = await tx.query<MessageRow>(q.byId, [roomId, id]);
      return told(tx, toMessage(read ?? row), outbox);
    });
  }

  async remove(roomId: RoomId, id: MessageId, deletedAt: number, outbox?: MessageOutbox): Promise<Message> {
    if (outbox === undefined) {
      const [row] = await this.db.query<MessageRow>(q.remove, [roomId, id, deletedAt]);
      if (!row) throw messageNotFound();
      return toMessage(row);
    }
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<MessageRow>(q.remove, [roomId, id, deletedAt]);
      if (!row) throw messageNotFound();
      return told(tx, toMessage(row), outbox);
    });
  }

  /**
   * With `afterSeq` the oldest `limit` after it (bounded above by `beforeSeq` when both are given); otherwise the
   * newest `limit` below `beforeSeq` (or below nothing), read newest first and turned around.
   */
  async range(
    roomId: RoomId,
    opts: { afterSeq?: number; beforeSeq?: number; limit: number },
  ): Promise<Message[]> {
    const limit = pageSize(opts.limit);
    const before = opts.beforeSeq ?? NO_BOUND;
    if (opts.afterSeq !== undefined) {
      const rows = await this.db.query<MessageRow>(q.ascending, [roomId, opts.afterSeq, before, limit]);
      return rows.map(toMessage);
    }
    const rows = await this.db.query<MessageRow>(q.newest, [roomId, before, limit]);
    return rows.reverse().map(toMessage);
  }

  async lastSeq(roomId: RoomId): Promise<number> {
    const [row] = await this.db.query<{ last_seq: number }>(q.lastSeq, [roomId]);
    return row?.last_seq ?? 0;
  }
}
