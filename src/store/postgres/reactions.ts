import type {
  AddOutcome,
  NewReaction,
  ReactionKey,
  ReactionStore,
} from '../../engine/ports/reactionStore.js';
import type { EventOutbox } from '../../engine/ports/webhookStore.js';
import { summaryMap, type ReactionSummaryRow } from '../reactionRows.js';
import { sql, type Db, type Tx } from './db.js';
import { writeOutbox } from './webhooks.js';

const q = {
  // Locks the message row until the transaction ends: adds to one message, on any node, take turns, so that
  // two new emoji cannot both pass the bound; a delete (an UPDATE of the row) waits too.
  lockLive: sql(
    'reaction.lock-live',
    'SELECT 1 AS one FROM messages WHERE id = $1 AND room_id = $2 AND deleted_at IS NULL FOR UPDATE',
  ),
  emojiCount: sql(
    'reaction.emoji-count',
    'SELECT COUNT(*) AS n FROM reactions WHERE message_id = $1 AND emoji = $2',
  ),
  distinct: sql(
    'reaction.distinct',
    'SELECT COUNT(DISTINCT emoji) AS n FROM reactions WHERE message_id = $1',
  ),
  insert: sql(
    'reaction.insert',
    `INSERT INTO reactions (message_id, user_id, emoji, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (message_id, emoji, user_id) DO NOTHING RETURNING id`,
  ),
  remove: sql(
    'reaction.remove',
    'DELETE FROM reactions WHERE message_id = $1 AND emoji = $2 AND user_id = $3 RETURNING id',
  ),
  summary: sql(
    'reaction.summary',
    `SELECT message_id, emoji, COUNT(*) AS n, bool_or(user_id = $2) AS me, MIN(id) AS first_id
     FROM reactions WHERE message_id = ANY($1::bigint[])
     GROUP BY message_id, emoji ORDER BY message_id, n DESC, first_id ASC`,
  ),
};

export class PostgresReactionStore implements ReactionStore {
  constructor(private readonly db: Db) {}

  async add(
    reaction: NewReaction,
    outbox?: EventOutbox<number>,
  ): Promise<{ outcome: AddOutcome; count: number }> {
    const { roomId, messageId, userId, emoji, maxEmoji, now } = reaction;
    return this.db.transaction(async (tx) => {
      const [live] = await tx.query(q.lockLive, [messageId, roomId]);
      if (!live) return { outcome: 'gone', count: 0 };
      const count = async () => (await tx.query<{ n: number }>(q.emojiCount, [messageId, emoji]))[0]?.n ?? 0;
      const existing = await count();
      if (existing === 0) {
        const [distinct] = await tx.query<{ n: number }>(q.distinct, [messageId]);
        if ((distinct?.n ?? 0) >= maxEmoji) return { outcome: 'full', count: 0 };
      }
      const inserted = await tx.query(q.insert, [messageId, userId, emoji, now]);
      if (inserted.length === 0) return { outcome: 'present', count: existing };
      if (outbox) await writeOutbox(tx, outbox(existing + 1));
      return { outcome: 'added', count: existing + 1 };
    });
  }

  /** Without an outbox, two statements each on its own (the count is only an answer); with one, a transaction. */
  async remove(
    reaction: ReactionKey,
    outbox?: EventOutbox<number>,
  ): Promise<{ removed: boolean; count: number }> {
    const { messageId, userId, emoji } = reaction;
    const change = async (tx: Pick<Tx, 'query'>) => {
      const removed = (await tx.query(q.remove, [messageId, emoji, userId])).length > 0;
      const count = (await tx.query<{ n: number }>(q.emojiCount, [messageId, emoji]))[0]?.n ?? 0;
      return { removed, count };
    };
    if (!outbox) return change(this.db);
    return this.db.transaction(async (tx) => {
      const done = await change(tx);
      if (done.removed) await writeOutbox(tx, outbox(done.count));
      return done;
    });
  }

  /** One query for the whole page: `= ANY($1)` over the ids. */
  summarize: ReactionStore['summarize'] = async (ids, readerId) => {
    if (ids.length === 0) return new Map();
    const rows = await this.db.query<ReactionSummaryRow>(q.summary, [[...ids], readerId]);
    return summaryMap(rows, readerId);
  };
}
