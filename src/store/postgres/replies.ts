import type { Message, MessageId, RoomId } from '../../core/types.js';
import type { ReplyLog } from '../../engine/ports/store.js';
import { toMessage, type MessageRow } from '../rows.js';
import { sql, type Db } from './db.js';
import { SELECT } from './messageLog.js';

/** An open upper bound for `seq < $n`. */
const NO_BOUND = Number.MAX_SAFE_INTEGER;

const q = {
  ascending: sql(
    'reply.ascending',
    `${SELECT} WHERE m.reply_to_id = $2 AND m.room_id = $1 AND m.seq > $3 AND m.seq < $4
     ORDER BY m.seq ASC LIMIT $5`,
  ),
  newest: sql(
    'reply.newest',
    `${SELECT} WHERE m.reply_to_id = $2 AND m.room_id = $1 AND m.seq < $3 ORDER BY m.seq DESC LIMIT $4`,
  ),
};

/** The thread view: the replies to one message, paged by seq as the room's history is. */
export class PostgresReplyLog implements ReplyLog {
  constructor(private readonly db: Db) {}

  async range(
    roomId: RoomId,
    parentId: MessageId,
    opts: { afterSeq?: number; beforeSeq?: number; limit: number },
  ): Promise<Message[]> {
    const limit = Math.max(Math.trunc(opts.limit), 0);
    const before = opts.beforeSeq ?? NO_BOUND;
    if (opts.afterSeq !== undefined) {
      const page = [roomId, parentId, opts.afterSeq, before, limit];
      return (await this.db.query<MessageRow>(q.ascending, page)).map(toMessage);
    }
    const rows = await this.db.query<MessageRow>(q.newest, [roomId, parentId, before, limit]);
    return rows.reverse().map(toMessage);
  }
}
