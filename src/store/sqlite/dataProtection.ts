import type Database from 'better-sqlite3';
import { ERASED_AUTHOR_NAME } from '../../core/dataProtection.js';
import type { AppId, Message, MessageId, RoomId, UserId } from '../../core/types.js';
import type {
  DataProtectionStore,
  ErasureMode,
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
  sqliteParams,
  sqliteValues,
  TAKE_LEASE_SQL,
  TOMBSTONE_STRAGGLERS_SQL,
} from '../dataProtectionSql.js';
import { toErasure, type ErasureRow } from '../erasureRows.js';
import { toMessage, type MessageRow } from '../rows.js';
import { guard } from './errors.js';
import { SELECT } from './messageLog.js';

/** No `before`: every id is below this. */
const NO_CURSOR = Number.MAX_SAFE_INTEGER;
// Ids travel as a JSON array (json_each), as the guest roster's do.
const IDS = 'SELECT value FROM json_each(@ids)';

type Values = Record<string, unknown>;

function prepare(db: Database.Database) {
  const shared = (text: string) => db.prepare<Values>(sqliteParams(text));
  return {
    messagesBy: db.prepare<Values, MessageRow>(
      `${SELECT} WHERE m.app_id = @appId AND m.author_id = @userId AND m.id > @after ORDER BY m.id LIMIT @limit`,
    ),
    sections: Object.fromEntries(
      Object.entries(SECTION_SQL).map(([name, text]) => [name, shared(text)]),
    ) as Record<ExportSection, Database.Statement<Values>>,
    authored: db.prepare<Values, TouchedMessage>(
      `SELECT room_id AS roomId, id FROM messages WHERE app_id = @appId AND author_id = @userId
       ORDER BY id LIMIT @limit`,
    ),
    anonymise: db.prepare<Values>(
      `UPDATE messages SET author_id = NULL, author_name = @name, client_msg_id = NULL WHERE id IN (${IDS})`,
    ),
    // As MessageLog.remove deletes, and what hangs on the message goes too.
    remove: db.prepare<Values>(
      `UPDATE messages SET text = '', html = '', deleted_at = IFNULL(deleted_at, @now), author_id = NULL,
         author_name = @name, client_msg_id = NULL WHERE id IN (${IDS})`,
    ),
    clearQuotes: db.prepare<Values>(`UPDATE messages SET reply_excerpt = '' WHERE reply_to_id IN (${IDS})`),
    dropReactions: db.prepare<Values>(`DELETE FROM reactions WHERE message_id IN (${IDS})`),
    dropMentions: db.prepare<Values>(`DELETE FROM message_mentions WHERE message_id IN (${IDS})`),
    dropPins: db.prepare<Values>(`DELETE FROM pins WHERE message_id IN (${IDS})`),
    counts: db.prepare<Values, RemovedUserCounts>(sqliteParams(REMOVED_COUNTS_SQL)),
    stragglers: shared(TOMBSTONE_STRAGGLERS_SQL),
    removeUser: shared(REMOVE_USER_SQL),
    recordErasure: db.prepare<Values, ErasureRow<string>>(
      `INSERT INTO erasures (app_id, at, actor, user_id, username_hash, messages, counts)
       VALUES (@appId, @at, @actor, @userId, @usernameHash, @messages, @counts) RETURNING *`,
    ),
    listErasures: db.prepare<Values, ErasureRow<string>>(
      'SELECT * FROM erasures WHERE app_id = @appId AND id < @before ORDER BY id DESC LIMIT @limit',
    ),
    setRetention: db.prepare<Values>(
      'UPDATE rooms SET retention_days = @days WHERE app_id = @appId AND id = @id',
    ),
    // Oldest first, served by messages_room_created.
    expired: db
      .prepare<Values, number>(
        `SELECT id FROM messages WHERE room_id = @roomId AND created_at < @before
         ORDER BY created_at, id LIMIT @limit`,
      )
      .pluck(),
    // Reactions, pins, mentions, reports and the queue go by ON DELETE CASCADE; the search index by trigger.
    purge: db.prepare<Values>(`DELETE FROM messages WHERE id IN (${IDS})`),
    takeLease: db.prepare<Values, { holder: string }>(sqliteParams(TAKE_LEASE_SQL)),
  };
}

const parseCounts = (text: string) => JSON.parse(text) as Record<string, number>;
const parseDetail = (row: Record<string, unknown>): Record<string, unknown> =>
  typeof row.detail === 'string' ? { ...row, detail: JSON.parse(row.detail) as unknown } : row;

export class SqliteDataProtection implements DataProtectionStore {
  private readonly q: ReturnType<typeof prepare>;
  private readonly eraseTx: (
    appId: AppId,
    userId: UserId,
    mode: ErasureMode,
    now: number,
    limit: number,
  ) => TouchedMessage[];
  private readonly removeTx: (appId: AppId, userId: UserId) => RemovedUserCounts | null;
  private readonly purgeTx: (roomId: RoomId, before: number, limit: number) => MessageId[];

  constructor(private readonly db: Database.Database) {
    const q = prepare(db);
    this.q = q;
    this.eraseTx = db.transaction((appId, userId, mode, now, limit) => {
      const touched = q.authored.all({ appId, userId, limit });
      if (touched.length === 0) return touched;
      const ids = JSON.stringify(touched.map((m) => m.id));
      if (mode === 'anonymise') {
        q.anonymise.run({ ids, name: ERASED_AUTHOR_NAME });
        return touched;
      }
      q.remove.run({ ids, now, name: ERASED_AUTHOR_NAME });
      for (const statement of [q.clearQuotes, q.dropReactions, q.dropMentions, q.dropPins])
        statement.run({ ids });
      return touched;
    });
    this.removeTx = db.transaction((appId, userId) => {
      const counts = q.counts.get(sqliteValues([appId, userId]));
      if (!counts) return null;
      q.stragglers.run(sqliteValues([appId, userId, ERASED_AUTHOR_NAME]));
      q.removeUser.run(sqliteValues([appId, userId]));
      return counts;
    });
    this.purgeTx = db.transaction((roomId, before, limit) => {
      const ids = q.expired.all({ roomId, before, limit });
      if (ids.length === 0) return ids;
      const json = JSON.stringify(ids);
      q.clearQuotes.run({ ids: json });
      q.purge.run({ ids: json });
      return ids;
    });
  }

  async messagesBy(
    appId: AppId,
    userId: UserId,
    opts: { afterId: number; limit: number },
  ): Promise<Message[]> {
    return guard(this.db, () =>
      this.q.messagesBy.all({ appId, userId, after: opts.afterId, limit: opts.limit }).map(toMessage),
    );
  }

  async section(
    appId: AppId,
    userId: UserId,
    section: ExportSection,
    opts: { after: number; limit: number },
  ): Promise<ExportRow[]> {
    return guard(this.db, () =>
      (this.q.sections[section].all(sqliteValues([appId, userId, opts.after, opts.limit])) as Values[]).map(
        ({ cursor, ...row }) => ({ cursor: Number(cursor), row: parseDetail(row) }),
      ),
    );
  }

  async eraseMessages(
    appId: AppId,
    userId: UserId,
    mode: ErasureMode,
    opts: { now: number; limit: number },
  ): Promise<TouchedMessage[]> {
    return guard(this.db, () => this.eraseTx(appId, userId, mode, opts.now, opts.limit));
  }

  async removeUser(appId: AppId, userId: UserId): Promise<RemovedUserCounts | null> {
    return guard(this.db, () => this.removeTx(appId, userId));
  }

  async recordErasure(entry: Omit<ErasureRecord, 'id'>): Promise<ErasureRecord> {
    return guard(this.db, () => {
      const row = this.q.recordErasure.get({ ...entry, counts: JSON.stringify(entry.counts) });
      if (!row) throw new Error('INSERT … RETURNING gave no row');
      return toErasure(row, parseCounts);
    });
  }

  async listErasures(appId: AppId, opts: { limit: number; beforeId?: number }): Promise<ErasureRecord[]> {
    const before = opts.beforeId ?? NO_CURSOR;
    return guard(this.db, () =>
      this.q.listErasures.all({ appId, before, limit: opts.limit }).map((row) => toErasure(row, parseCounts)),
    );
  }

  async setRoomRetention(appId: AppId, roomId: RoomId, days: number | null | undefined): Promise<void> {
    const stored = days === undefined ? null : (days ?? 0);
    guard(this.db, () => this.q.setRetention.run({ appId, id: roomId, days: stored }));
  }

  async purgeRoom(roomId: RoomId, before: number, limit: number): Promise<MessageId[]> {
    return guard(this.db, () => this.purgeTx(roomId, before, limit));
  }

  async takeLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    return guard(this.db, () => {
      const row = this.q.takeLease.get(sqliteValues([name, holder, now, now + ttlMs]));
      return row?.holder === holder;
    });
  }
}
