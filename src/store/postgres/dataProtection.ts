import { ERASED_AUTHOR_NAME } from '../../core/dataProtection.js';
import type { AppId, Message, MessageId, RoomId, UserId } from '../../core/types.js';
import type {
  DataProtectionStore,
  ErasureRecord,
  ExportRow,
  ExportSection,
  RemovedUserCounts,
  TouchedMessage,
} from '../../engine/ports/dataProtectionStore.js';
import {
  REMOVED_COUNTS_SQL,
  REMOVE_USER_SQL,
  SECTION_SQL,
  TAKE_LEASE_SQL,
  TOMBSTONE_STRAGGLERS_SQL,
} from '../dataProtectionSql.js';
import { toErasure, type ErasureRow } from '../erasureRows.js';
import { toMessage, type MessageRow } from '../rows.js';
import { sql, type Db } from './db.js';
import { SELECT } from './messageLog.js';

/** No `before`: every id is below this. */
const NO_CURSOR = Number.MAX_SAFE_INTEGER;
const IDS = 'ANY($1::bigint[])';

const q = {
  messagesBy: sql(
    'dp.messages-by',
    `${SELECT} WHERE m.app_id = $1 AND m.author_id = $2 AND m.id > $3 ORDER BY m.id LIMIT $4`,
  ),
  sections: Object.fromEntries(
    Object.entries(SECTION_SQL).map(([name, text]) => [name, sql(`dp.section.${name}`, text)]),
  ) as Record<ExportSection, ReturnType<typeof sql>>,
  // The rows are locked until the batch commits, so a concurrent edit or delete waits for it.
  authored: sql(
    'dp.authored',
    `SELECT room_id AS "roomId", id FROM messages WHERE app_id = $1 AND author_id = $2
     ORDER BY id LIMIT $3 FOR UPDATE`,
  ),
  anonymise: sql(
    'dp.anonymise',
    `UPDATE messages SET author_id = NULL, author_name = $2, client_msg_id = NULL WHERE id = ${IDS}`,
  ),
  remove: sql(
    'dp.remove',
    `UPDATE messages SET text = '', html = '', deleted_at = COALESCE(deleted_at, $3), author_id = NULL,
       author_name = $2, client_msg_id = NULL WHERE id = ${IDS}`,
  ),
  clearQuotes: sql('dp.clear-quotes', `UPDATE messages SET reply_excerpt = '' WHERE reply_to_id = ${IDS}`),
  dropReactions: sql('dp.drop-reactions', `DELETE FROM reactions WHERE message_id = ${IDS}`),
  dropMentions: sql('dp.drop-mentions', `DELETE FROM message_mentions WHERE message_id = ${IDS}`),
  dropPins: sql('dp.drop-pins', `DELETE FROM pins WHERE message_id = ${IDS}`),
  counts: sql('dp.counts', REMOVED_COUNTS_SQL),
  stragglers: sql('dp.stragglers', TOMBSTONE_STRAGGLERS_SQL),
  removeUser: sql('dp.remove-user', REMOVE_USER_SQL),
  recordErasure: sql(
    'dp.record-erasure',
    `INSERT INTO erasures (app_id, at, actor, user_id, username_hash, messages, counts)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) RETURNING *`,
  ),
  listErasures: sql(
    'dp.list-erasures',
    'SELECT * FROM erasures WHERE app_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3',
  ),
  setRetention: sql('dp.set-retention', 'UPDATE rooms SET retention_days = $3 WHERE app_id = $1 AND id = $2'),
  // Oldest first (messages_room_created); reactions, pins, mentions, reports and the queue go by ON DELETE
  // CASCADE, the search vector with its row. Replies left behind keep no quote of what went (a row is never
  // changed by two parts of one statement: the replies that go are left out of the update).
  purge: sql(
    'dp.purge',
    `WITH gone AS (
       SELECT id FROM messages WHERE room_id = $1 AND created_at < $2 ORDER BY created_at, id LIMIT $3
       FOR UPDATE
     ), cleared AS (
       UPDATE messages SET reply_excerpt = ''
       WHERE reply_to_id IN (SELECT id FROM gone) AND id NOT IN (SELECT id FROM gone)
     )
     DELETE FROM messages WHERE id IN (SELECT id FROM gone) RETURNING id`,
  ),
  takeLease: sql('dp.take-lease', TAKE_LEASE_SQL),
};

type Counts = Record<string, number>;

export class PostgresDataProtection implements DataProtectionStore {
  constructor(private readonly db: Db) {}

  async messagesBy(
    appId: AppId,
    userId: UserId,
    opts: { afterId: number; limit: number },
  ): Promise<Message[]> {
    const rows = await this.db.query<MessageRow>(q.messagesBy, [appId, userId, opts.afterId, opts.limit]);
    return rows.map(toMessage);
  }

  async section(
    appId: AppId,
    userId: UserId,
    section: ExportSection,
    opts: { after: number; limit: number },
  ): Promise<ExportRow[]> {
    const rows = await this.db.query<Record<string, unknown>>(q.sections[section], [
      appId,
      userId,
      opts.after,
      opts.limit,
    ]);
    return rows.map(({ cursor, ...row }) => ({ cursor: Number(cursor), row }));
  }

  async eraseMessages(
    ...[appId, userId, mode, opts]: Parameters<DataProtectionStore['eraseMessages']>
  ): Promise<TouchedMessage[]> {
    return this.db.transaction(async (tx) => {
      const touched = await tx.query<TouchedMessage>(q.authored, [appId, userId, opts.limit]);
      if (touched.length === 0) return touched;
      const ids = touched.map((m) => m.id);
      if (mode === 'anonymise') {
        await tx.query(q.anonymise, [ids, ERASED_AUTHOR_NAME]);
        return touched;
      }
      await tx.query(q.remove, [ids, ERASED_AUTHOR_NAME, opts.now]);
      for (const statement of [q.clearQuotes, q.dropReactions, q.dropMentions, q.dropPins]) {
        await tx.query(statement, [ids]);
      }
      return touched;
    });
  }

  async removeUser(appId: AppId, userId: UserId): Promise<RemovedUserCounts | null> {
    return this.db.transaction(async (tx) => {
      const [counts] = await tx.query<RemovedUserCounts & Record<string, number>>(q.counts, [appId, userId]);
      if (!counts) return null;
      await tx.query(q.stragglers, [appId, userId, ERASED_AUTHOR_NAME]);
      await tx.query(q.removeUser, [appId, userId]);
      return counts;
    });
  }

  async recordErasure(entry: Omit<ErasureRecord, 'id'>): Promise<ErasureRecord> {
    const [row] = await this.db.query<ErasureRow<Counts>>(q.recordErasure, [
      entry.appId,
      entry.at,
      entry.actor,
      entry.userId,
      entry.usernameHash,
      entry.messages,
      JSON.stringify(entry.counts),
    ]);
    if (!row) throw new Error('INSERT … RETURNING gave no row');
    return toErasure(row, (counts) => counts);
  }

  async listErasures(appId: AppId, opts: { limit: number; beforeId?: number }): Promise<ErasureRecord[]> {
    const before = opts.beforeId ?? NO_CURSOR;
    const rows = await this.db.query<ErasureRow<Counts>>(q.listErasures, [appId, before, opts.limit]);
    return rows.map((row) => toErasure(row, (counts) => counts));
  }

  async setRoomRetention(appId: AppId, roomId: RoomId, days: number | null | undefined): Promise<void> {
    const stored = days === undefined ? null : (days ?? 0);
    await this.db.query(q.setRetention, [appId, roomId, stored]);
  }

  async purgeRoom(roomId: RoomId, before: number, limit: number): Promise<MessageId[]> {
    const rows = await this.db.query<{ id: number }>(q.purge, [roomId, before, limit]);
    return rows.map((r) => r.id);
  }

  async takeLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    const rows = await this.db.query<{ holder: string }>(q.takeLease, [name, holder, now, now + ttlMs]);
    return rows[0]?.holder === holder;
  }
}
