import type Database from 'better-sqlite3';
import type { Message, MessageId, RoomId } from '../../core/types.js';
import type { ReplyLog } from '../../engine/ports/store.js';
import { toMessage, type MessageRow } from '../rows.js';
import { guard } from './errors.js';
import { SELECT } from './messageLog.js';

/** An open upper bound for `seq < ?`, where SQLite wants a number. */
const NO_BOUND = Number.MAX_SAFE_INTEGER;

type Page = { roomId: number; parentId: number; after: number; before: number; limit: number };

/** The thread view: the replies to one message, paged by seq as the room's history is. */
export class SqliteReplyLog implements ReplyLog {
  private readonly ascending: Database.Statement<Page, MessageRow>;
  private readonly newest: Database.Statement<Omit<Page, 'after'>, MessageRow>;

  constructor(private readonly db: Database.Database) {
    this.ascending = db.prepare<Page, MessageRow>(
      `${SELECT} WHERE m.reply_to_id = @parentId AND m.room_id = @roomId AND m.seq > @after AND m.seq < @before
       ORDER BY m.seq ASC LIMIT max(@limit, 0)`,
    );
    this.newest = db.prepare<Omit<Page, 'after'>, MessageRow>(
      `${SELECT} WHERE m.reply_to_id = @parentId AND m.room_id = @roomId AND m.seq < @before
       ORDER BY m.seq DESC LIMIT max(@limit, 0)`,
    );
  }

  async range(
    roomId: RoomId,
    parentId: MessageId,
    opts: { afterSeq?: number; beforeSeq?: number; limit: number },
  ): Promise<Message[]> {
    return guard(this.db, () => {
      const page = { roomId, parentId, before: opts.beforeSeq ?? NO_BOUND, limit: Math.trunc(opts.limit) };
      const rows =
        opts.afterSeq === undefined
          ? this.newest.all(page).reverse()
          : this.ascending.all({ ...page, after: opts.afterSeq });
      return rows.map(toMessage);
    });
  }
}
