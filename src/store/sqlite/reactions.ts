import type Database from 'better-sqlite3';
import type { MessageId, ReactionCount, UserId } from '../../core/types.js';
import type {
  AddOutcome,
  NewReaction,
  ReactionKey,
  ReactionStore,
} from '../../engine/ports/reactionStore.js';
import type { EventOutbox, NewDelivery } from '../../engine/ports/webhookStore.js';
import { guard } from './errors.js';
import { sqliteOutboxWriter } from './webhooks.js';
import { summaryMap, type ReactionSummaryRow } from '../reactionRows.js';

type Key = { roomId: number; messageId: number; userId: number; emoji: string };
type Outbox = EventOutbox<number> | undefined;

function prepare(db: Database.Database) {
  return {
    // The message must be in the room and not deleted.
    live: db
      .prepare<[number, number], number>(
        'SELECT 1 FROM messages WHERE id = ? AND room_id = ? AND deleted_at IS NULL',
      )
      .pluck(),
    has: db
      .prepare<Key, number>(
        'SELECT 1 FROM reactions WHERE message_id = @messageId AND emoji = @emoji AND user_id = @userId',
      )
      .pluck(),
    emojiCount: db
      .prepare<[number, string], number>('SELECT COUNT(*) FROM reactions WHERE message_id = ? AND emoji = ?')
      .pluck(),
    distinct: db
      .prepare<[number], number>('SELECT COUNT(DISTINCT emoji) FROM reactions WHERE message_id = ?')
      .pluck(),
    insert: db.prepare<Key & { now: number }>(
      `INSERT INTO reactions (message_id, user_id, emoji, created_at) VALUES (@messageId, @userId, @emoji, @now)`,
    ),
    remove: db.prepare<Key>(
      'DELETE FROM reactions WHERE message_id = @messageId AND emoji = @emoji AND user_id = @userId',
    ),
    // One message (the answer to a reaction): no JSON array to build and walk.
    summaryOne: db.prepare<{ id: number; reader: number }, ReactionSummaryRow>(
      `SELECT message_id, emoji, COUNT(*) AS n, MAX(user_id = @reader) AS me, MIN(id) AS first_id
       FROM reactions WHERE message_id = @id GROUP BY emoji ORDER BY n DESC, first_id ASC`,
    ),
    // Ids travel as a JSON array (json_each). A reader of 0 matches no user (no one has id 0).
    summary: db.prepare<{ ids: string; reader: number }, ReactionSummaryRow>(
      `SELECT message_id, emoji, COUNT(*) AS n, MAX(user_id = @reader) AS me, MIN(id) AS first_id
       FROM reactions WHERE message_id IN (SELECT value FROM json_each(@ids))
       GROUP BY message_id, emoji ORDER BY message_id, n DESC, first_id ASC`,
    ),
  };
}

function keyOf(reaction: ReactionKey): Key {
  const { roomId, messageId, userId, emoji } = reaction;
  return { roomId, messageId, userId, emoji };
}

export class SqliteReactionStore implements ReactionStore {
  private readonly q: ReturnType<typeof prepare>;
  private readonly writeOutbox: (deliveries: readonly NewDelivery[]) => void;
  private readonly addTx: (reaction: NewReaction, outbox: Outbox) => { outcome: AddOutcome; count: number };
  private readonly removeTx: (key: Key, outbox: Outbox) => { removed: boolean; count: number };

  constructor(private readonly db: Database.Database) {
    this.q = prepare(db);
    this.writeOutbox = sqliteOutboxWriter(db);
    // IMMEDIATE takes the write lock before the checks, so that another process cannot add the emoji that
    // passes the bound (or delete the message) between the checks and the insert.
    const tx = db.transaction((reaction: NewReaction, outbox: Outbox) => this.addLocked(reaction, outbox));
    this.addTx = (reaction, outbox) => tx.immediate(reaction, outbox);
    this.removeTx = db.transaction((key: Key, outbox: Outbox) => {
      const removed = this.q.remove.run(key).changes > 0;
      const count = this.q.emojiCount.get(key.messageId, key.emoji) ?? 0;
      if (removed && outbox) this.writeOutbox(outbox(count));
      return { removed, count };
    });
  }

  private addLocked(reaction: NewReaction, outbox: Outbox): { outcome: AddOutcome; count: number } {
    const key = keyOf(reaction);
    if (this.q.live.get(key.messageId, key.roomId) === undefined) return { outcome: 'gone', count: 0 };
    const count = () => this.q.emojiCount.get(key.messageId, key.emoji) ?? 0;
    if (this.q.has.get(key) !== undefined) return { outcome: 'present', count: count() };
    const existing = count();
    if (existing === 0 && (this.q.distinct.get(key.messageId) ?? 0) >= reaction.maxEmoji) {
      return { outcome: 'full', count: 0 };
    }
    this.q.insert.run({ ...key, now: reaction.now });
    if (outbox) this.writeOutbox(outbox(existing + 1));
    return { outcome: 'added', count: existing + 1 };
  }

  async add(reaction: NewReaction, outbox?: Outbox): Promise<{ outcome: AddOutcome; count: number }> {
    return guard(this.db, () => this.addTx(reaction, outbox));
  }

  async remove(reaction: ReactionKey, outbox?: Outbox): Promise<{ removed: boolean; count: number }> {
    return guard(this.db, () => this.removeTx(keyOf(reaction), outbox));
  }

  async summarize(
    messageIds: readonly MessageId[],
    readerId: UserId | null,
  ): Promise<Map<MessageId, ReactionCount[]>> {
    if (messageIds.length === 0) return new Map();
    const reader = readerId ?? 0;
    const [only] = messageIds;
    return guard(this.db, () =>
      summaryMap(
        messageIds.length === 1 && only !== undefined
          ? this.q.summaryOne.all({ id: only, reader })
          : this.q.summary.all({ ids: JSON.stringify(messageIds), reader }),
        readerId,
      ),
    );
  }
}
