import type Database from 'better-sqlite3';
import { messageNotFound, roomNotFound, slowMode } from '../../core/failures.js';
import { slowModeWait } from '../../core/slowMode.js';
import type { Message, MessageId, RoomId, UserId } from '../../core/types.js';
import { replyExcerpt, replyParentNotFound } from '../../core/replies.js';
import { REPLY_COLUMNS, REPLY_JOINS } from '../replySql.js';
import { toMessage } from '../rows.js';
import type { MessageRow } from '../rows.js';
import type { AppendResult, MessageLog, NewMessage } from '../../engine/ports/store.js';
import type { MessageOutbox, NewDelivery } from '../../engine/ports/webhookStore.js';
import { messageDeliveries } from '../../core/messageOutbox.js';
import { guard } from './errors.js';
import { sqliteOutboxWriter } from './webhooks.js';

/** An open upper bound for `seq < ?`, where SQLite wants a number. */
const NO_BOUND = Number.MAX_SAFE_INTEGER;

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

function prepare(db: Database.Database) {
  return {
    byId: db.prepare<[number, number], MessageRow>(`${SELECT} WHERE m.room_id = ? AND m.id = ?`),
    byClientId: db.prepare<[number, number, string], MessageRow>(
      `${SELECT} WHERE m.room_id = ? AND m.author_id = ? AND m.client_msg_id = ?`,
    ),
    // Bumps the room's counter; no row means the room does not exist (or is in another app).
    nextSeq: db
      .prepare<[number, number], number>(
        'UPDATE rooms SET last_seq = last_seq + 1 WHERE id = ? AND app_id = ? RETURNING last_seq',
      )
      .pluck(),
    insert: db
      .prepare<
        {
          appId: number;
          roomId: number;
          seq: number;
          kind: string;
          authorId: number | null;
          text: string;
          html: string;
          clientMsgId: string | null;
          createdAt: number;
          replyTo: number | null;
          replyExcerpt: string | null;
          visibility: string;
        },
        number
      >(
        `INSERT INTO messages (app_id, room_id, seq, kind, author_id, author_name, text, html, client_msg_id,
                               created_at, reply_to_id, reply_excerpt, visibility)
         VALUES (@appId, @roomId, @seq, @kind, @authorId, (SELECT username FROM users WHERE id = @authorId),
                 @text, @html, @clientMsgId, @createdAt, @replyTo, @replyExcerpt, @visibility) RETURNING id`,
      )
      .pluck(),
    slowMode: db.prepare<[number, number], { seconds: number; last_at: number | null }>(
      `SELECT slow_mode_seconds AS seconds,
         (SELECT MAX(created_at) FROM messages WHERE room_id = r.id AND author_id = ?) AS last_at
       FROM rooms r WHERE r.id = ?`,
    ),
    // A reply's parent: a message of the same room that is not deleted.
    parentText: db
      .prepare<[number, number], string>(
        'SELECT text FROM messages WHERE room_id = ? AND id = ? AND deleted_at IS NULL',
      )
      .pluck(),
    countReply: db.prepare<[number]>('UPDATE messages SET reply_count = reply_count + 1 WHERE id = ?'),
    // The replies to a deleted message keep no copy of its text.
    clearQuotes: db.prepare<[number, number]>(
      "UPDATE messages SET reply_excerpt = '' WHERE room_id = ? AND reply_to_id = ?",
    ),
    // A deleted message stays deleted: an edit racing a delete must not bring the text back.
    edit: db.prepare<{ roomId: number; id: number; text: string; html: string; editedAt: number }>(
      `UPDATE messages SET text = @text, html = @html, edited_at = @editedAt
       WHERE room_id = @roomId AND id = @id AND deleted_at IS NULL`,
    ),
    // Deleting twice keeps the first deletedAt. client_msg_id stays, so a late retry of the send still finds
    // the original instead of posting the text again.
    remove: db.prepare<{ roomId: number; id: number; deletedAt: number }>(
      `UPDATE messages SET text = '', html = '', deleted_at = IFNULL(deleted_at, @deletedAt)
       WHERE room_id = @roomId AND id = @id`,
    ),
    ascending: db.prepare<{ roomId: number; after: number; before: number; limit: number }, MessageRow>(
      `${SELECT} WHERE m.room_id = @roomId AND m.seq > @after AND m.seq < @before
       ORDER BY m.seq ASC LIMIT max(@limit, 0)`,
    ),
    newest: db.prepare<{ roomId: number; before: number; limit: number }, MessageRow>(
      `${SELECT} WHERE m.room_id = @roomId AND m.seq < @before ORDER BY m.seq DESC LIMIT max(@limit, 0)`,
    ),
    lastSeq: db.prepare<[number], number>('SELECT last_seq FROM rooms WHERE id = ?').pluck(),
    // A mentioned user removed since the mention was resolved is skipped (no row to select).
    clearMentions: db.prepare<[number]>('DELETE FROM message_mentions WHERE message_id = ?'),
    mention: db.prepare<{ messageId: number; userId: number; roomId: number; seq: number; pos: number }>(
      `INSERT INTO message_mentions (message_id, user_id, room_id, seq, pos)
       SELECT @messageId, id, @roomId, @seq, @pos FROM users WHERE id = @userId`,
    ),
  };
}

export class SqliteMessageLog implements MessageLog {
  private readonly q: ReturnType<typeof prepare>;
  private readonly appendTx: (input: NewMessage) => AppendResult;
  private readonly removeTx: (
    roomId: RoomId,
    id: MessageId,
    deletedAt: number,
    outbox: MessageOutbox | undefined,
  ) => Message;
  private readonly writeOutbox: (deliveries: readonly NewDelivery[]) => void;

  private readonly editTx: (
    roomId: RoomId,
    id: MessageId,
    text: string,
    html: string,
    editedAt: number,
    mentions: readonly UserId[] | undefined,
    outbox: MessageOutbox | undefined,
  ) => Message;

  constructor(private readonly db: Database.Database) {
    this.q = prepare(db);
    this.writeOutbox = sqliteOutboxWriter(db);
    this.editTx = db.transaction(
      (
        roomId: RoomId,
        id: MessageId,
        text: string,
        html: string,
        editedAt: number,
        mentions: readonly UserId[] | undefined,
        outbox: MessageOutbox | undefined,
      ): Message => {
        if (this.q.edit.run({ roomId, id, text, html, editedAt }).changes === 0) throw messageNotFound();
        if (mentions !== undefined) {
          const { seq } = this.read(roomId, id);
          this.q.clearMentions.run(id);
          mentions.forEach((userId, pos) => this.q.mention.run({ messageId: id, userId, roomId, seq, pos }));
        }
        return this.told(this.read(roomId, id), outbox);
      },
    );
    this.removeTx = db.transaction(
      (roomId: RoomId, id: MessageId, deletedAt: number, outbox: MessageOutbox | undefined): Message => {
        if (this.q.remove.run({ roomId, id, deletedAt }).changes === 0) throw messageNotFound();
        this.q.clearQuotes.run(roomId, id);
        return this.told(this.read(roomId, id), outbox);
      },
    );
    // IMMEDIATE takes the write lock before the dedup read, so another process cannot slip the same
    // clientMsgId (or the same seq) in between the check and the insert.
    const tx = db.transaction((input: NewMessage): AppendResult => this.appendLocked(input));
    this.appendTx = (input) => tx.immediate(input);
  }

  /** The message's webhook events written in the running transaction. */
  private told(message: Message, outbox: MessageOutbox | undefined): Message {
    if (outbox) this.writeOutbox(messageDeliveries(outbox, message));
    return message;
  }

  private read(roomId: RoomId, id: MessageId): Message {
    const row = this.q.byId.get(roomId, id);
    if (!row) throw messageNotFound();
    return toMessage(row);
  }

  private appendLocked(input: NewMessage): AppendResult {
    if (input.authorId !== null && input.clientMsgId !== null) {
      const original = this.q.byClientId.get(input.roomId, input.authorId, input.clientMsgId);
      if (original) return { message: toMessage(original), duplicate: true };
    }
    // The write lock is held (IMMEDIATE): no other node's append can slip in between this look and the insert.
    if (input.slowMode === true && input.authorId !== null) {
      const room = this.q.slowMode.get(input.authorId, input.roomId);
      const wait = room ? slowModeWait(room.seconds, room.last_at, input.createdAt) : 0;
      if (room && wait > 0) throw slowMode(wait, room.seconds);
    }
    const replyTo = input.replyTo ?? null;
    let excerpt: string | null = null;
    if (replyTo !== null) {
      const parentText = this.q.parentText.get(input.roomId, replyTo);
      if (parentText === undefined) throw replyParentNotFound();
      excerpt = replyExcerpt(parentText);
    }
    const seq = this.q.nextSeq.get(input.roomId, input.appId);
    if (seq === undefined) throw roomNotFound();
    const id = this.q.insert.get({
      appId: input.appId,
      roomId: input.roomId,
      seq,
      kind: input.kind,
      authorId: input.authorId,
      text: input.text,
      html: input.html,
      clientMsgId: input.clientMsgId,
      createdAt: input.createdAt,
      replyTo,
      replyExcerpt: excerpt,
      visibility: input.visibility ?? 'visible',
    });
    if (id === undefined) throw new Error('INSERT ... RETURNING gave no row');
    if (replyTo !== null) this.q.countReply.run(replyTo);
    input.mentions?.forEach((userId, pos) =>
      this.q.mention.run({ messageId: id, userId, roomId: input.roomId, seq, pos }),
    );
    return { message: this.told(this.read(input.roomId, id), input.outbox), duplicate: false };
  }

  async append(input: NewMessage): Promise<AppendResult> {
    return guard(this.db, () => this.appendTx(input));
  }

  async get(roomId: RoomId, id: MessageId): Promise<Message | null> {
    return guard(this.db, () => {
      const row = this.q.byId.get(roomId, id);
      return row ? toMessage(row) : null;
    });
  }

  async edit(...args: Parameters<MessageLog['edit']>): Promise<Message> {
    const [roomId, id, text, html, editedAt, mentions, outbox] = args;
    return guard(this.db, () => this.editTx(roomId, id, text, html, editedAt, mentions, outbox));
  }

  async remove(roomId: RoomId, id: MessageId, deletedAt: number, outbox?: MessageOutbox): Promise<Message> {
    return guard(this.db, () => this.removeTx(roomId, id, deletedAt, outbox));
  }

  /**
   * With `afterSeq` the oldest `limit` after it (bounded above by `beforeSeq` when both are given); otherwise the
   * newest `limit` below `beforeSeq` (or below nothing), read newest first and turned around.
   */
  async range(
    roomId: RoomId,
    opts: { afterSeq?: number; beforeSeq?: number; limit: number },
  ): Promise<Message[]> {
    return guard(this.db, () => {
      const limit = Math.trunc(opts.limit);
      const before = opts.beforeSeq ?? NO_BOUND;
      if (opts.afterSeq !== undefined) {
        return this.q.ascending.all({ roomId, after: opts.afterSeq, before, limit }).map(toMessage);
      }
      return this.q.newest.all({ roomId, before, limit }).reverse().map(toMessage);
    });
  }

  async lastSeq(roomId: RoomId): Promise<number> {
    return guard(this.db, () => this.q.lastSeq.get(roomId) ?? 0);
  }
}
