import type Database from 'better-sqlite3';
import { messageNotFound, roomNotFound, slowMode } from '../../core/failures.js';
import { messageDeliveries } from '../../core/messageOutbox.js';
import { replyExcerpt, replyParentNotFound } from '../../core/replies.js';
import { slowModeWait } from '../../core/slowMode.js';
import type { AppendResult, NewMessage } from '../../engine/ports/store.js';
import { toMessage, type MessageRow } from '../rows.js';
import { INSERT_MENTION, SELECT } from './messageSql.js';
import { sqliteOutboxWriter } from './webhooks.js';

/**
 * One message append, run inside a transaction (or a savepoint of one) that the caller opened and holds the
 * write lock: the inline message log wraps each in BEGIN IMMEDIATE, the message writer (writer/worker.ts) puts a
 * batch of them in one transaction, a savepoint each. Shared so that both writers are the same code.
 */
export class MessageAppender {
  private readonly q;
  private readonly writeOutbox;

  constructor(db: Database.Database) {
    this.writeOutbox = sqliteOutboxWriter(db);
    this.q = {
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
      mention: db.prepare<{ messageId: number; userId: number; roomId: number; seq: number; pos: number }>(
        INSERT_MENTION,
      ),
    };
  }

  /** Throws the catalogue's error (room_not_found, slow_mode, not_found for the reply parent) on a refusal. */
  append(input: NewMessage): AppendResult {
    const q = this.q;
    // Within one transaction this also finds an append made earlier in the same batch: dedup holds across it.
    if (input.authorId !== null && input.clientMsgId !== null) {
      const original = q.byClientId.get(input.roomId, input.authorId, input.clientMsgId);
      if (original) return { message: toMessage(original), duplicate: true };
    }
    // The write lock is held: no other node's append can slip in between this look and the insert.
    if (input.slowMode === true && input.authorId !== null) {
      const room = q.slowMode.get(input.authorId, input.roomId);
      const wait = room ? slowModeWait(room.seconds, room.last_at, input.createdAt) : 0;
      if (room && wait > 0) throw slowMode(wait, room.seconds);
    }
    const replyTo = input.replyTo ?? null;
    let excerpt: string | null = null;
    if (replyTo !== null) {
      const parentText = q.parentText.get(input.roomId, replyTo);
      if (parentText === undefined) throw replyParentNotFound();
      excerpt = replyExcerpt(parentText);
    }
    const seq = q.nextSeq.get(input.roomId, input.appId);
    if (seq === undefined) throw roomNotFound();
    const id = q.insert.get({
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
    if (replyTo !== null) q.countReply.run(replyTo);
    input.mentions?.forEach((userId, pos) =>
      q.mention.run({ messageId: id, userId, roomId: input.roomId, seq, pos }),
    );
    const row = q.byId.get(input.roomId, id);
    if (!row) throw messageNotFound();
    const message = toMessage(row);
    if (input.outbox) this.writeOutbox(messageDeliveries(input.outbox, message));
    return { message, duplicate: false };
  }
}
