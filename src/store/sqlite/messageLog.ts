import type Database from 'better-sqlite3';
import { messageNotFound } from '../../core/failures.js';
import type { Message, MessageId, RoomId, UserId } from '../../core/types.js';
import { toMessage } from '../rows.js';
import type { MessageRow } from '../rows.js';
import type { AppendResult, MessageLog, NewMessage } from '../../engine/ports/store.js';
import type { MessageOutbox, NewDelivery } from '../../engine/ports/webhookStore.js';
import { messageDeliveries } from '../../core/messageOutbox.js';
import { guard } from './errors.js';
import { INSERT_MENTION, SELECT } from './messageSql.js';
import { sqliteOutboxWriter } from './webhooks.js';

/** An open upper bound for `seq < ?`, where SQLite wants a number. */
const NO_BOUND = Number.MAX_SAFE_INTEGER;

export { COLUMNS, JOINS, SELECT } from './messageSql.js';

function prepare(db: Database.Database) {
  return {
    byId: db.prepare<[number, number], MessageRow>(`${SELECT} WHERE m.room_id = ? AND m.id = ?`),
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
    clearMentions: db.prepare<[number]>('DELETE FROM message_mentions WHERE message_id = ?'),
    mention: db.prepare<{ messageId: number; userId: number; roomId: number; seq: number; pos: number }>(
      INSERT_MENTION,
    ),
  };
}

export class SqliteMessageLog implements MessageLog {
  private readonly q: ReturnType<typeof prepare>;
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

  /**
   * `writer`: where appends go, in batches: the inline group commit on this connection (writer/inline.ts) or the
   * message writer's worker thread (writer/index.ts); everything else stays on this connection.
   */
  constructor(
    private readonly db: Database.Database,
    private readonly writer: { append(input: NewMessage): Promise<AppendResult> },
  ) {
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

  async append(input: NewMessage): Promise<AppendResult> {
    return this.writer.append(input);
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
