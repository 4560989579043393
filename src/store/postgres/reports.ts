import { messageNotFound } from '../../core/failures.js';
import type { AppId, Message, MessageId, MessageVisibility, RoomId, UserId } from '../../core/types.js';
import type {
  NewReport,
  NewResolution,
  QueueEntryRecord,
  QueueFilter,
  ReportOutcome,
  ReportRecord,
  ReportStore,
  ShadowMute,
} from '../../engine/ports/reportStore.js';
import {
  queueSql,
  queueValues,
  REPORT_SQL,
  toModerationCounts,
  toQueueEntry,
  toReport,
  type QueueRow,
  type ReportRow,
} from '../reportRows.js';
import { toBan, toMessage, type BanRow, type MessageRow } from '../rows.js';
import type { EventOutbox } from '../../engine/ports/webhookStore.js';
import { sql, type Db, type Statement, type Tx } from './db.js';
import { SELECT } from './messageLog.js';
import { tsQuery } from './search.js';
import { writeOutbox } from './webhooks.js';

type Key = keyof typeof REPORT_SQL;

const q = Object.fromEntries(
  Object.entries(REPORT_SQL).map(([key, text]) => [key, sql(`report.${key}`, text)]),
) as Record<Key, Statement>;
// Reports of one message take its row's lock, so that the count of established reporters each sees is exact.
const lockMessage = sql(
  'report.lock-message',
  'SELECT id FROM messages WHERE room_id = $1 AND id = $2 FOR UPDATE',
);
const readMessage = sql('report.read-message', `${SELECT} WHERE m.room_id = $1 AND m.id = $2`);
/** Those of REPORT_SQL whose caller needs to know whether a row changed. */
const returning = (key: 'insertReport' | 'resolve' | 'deleteShadowMute', column: string) =>
  sql(`report.${key}-returning`, `${REPORT_SQL[key]} RETURNING ${column}`);
const insertReport = returning('insertReport', 'message_id');
const resolve = returning('resolve', 'message_id');
const deleteShadowMute = returning('deleteShadowMute', 'user_id');
// The queue's text filter: the search index's matches (search.ts), quoted as search quotes them.
const queueMatching = sql(
  'report.queue-matching',
  queueSql(`AND EXISTS (SELECT 1 FROM messages m WHERE m.id = q.message_id
              AND m.search_vector @@ to_tsquery('simple'::regconfig, $7))`),
);
/** An open upper bound for `message_id < $n`. */
const NO_BOUND = Number.MAX_SAFE_INTEGER;

async function entryNow(
  tx: Pick<Tx, 'query'>,
  appId: AppId,
  messageId: MessageId,
): Promise<QueueEntryRecord> {
  const [row] = await tx.query<QueueRow>(q.entry, [appId, messageId]);
  if (!row) throw new Error('a queue entry just written was not found');
  return toQueueEntry(row);
}

export class PostgresReportStore implements ReportStore {
  constructor(private readonly db: Db) {}

  async add(input: NewReport, outbox?: EventOutbox<QueueEntryRecord>): Promise<ReportOutcome> {
    const { appId, roomId, messageId, reporterId, at } = input;
    return this.db.transaction(async (tx) => {
      if ((await tx.query(lockMessage, [roomId, messageId])).length === 0) throw messageNotFound();
      const inserted = await tx.query(insertReport, [messageId, reporterId, input.reason, input.text, at]);
      const added = inserted.length > 0;
      if (added) await tx.query(q.openEntry, [messageId, appId, roomId, input.reason, at]);
      const [report] = await tx.query<ReportRow>(q.report, [messageId, reporterId]);
      if (!report) throw new Error('a report just written was not found');
      const [counted] = await tx.query<{ n: number }>(q.established, [messageId, input.establishedBefore]);
      const entry = await entryNow(tx, appId, messageId);
      if (added && outbox) await writeOutbox(tx, outbox(entry));
      return { added, report: toReport(report), entry, established: counted?.n ?? 0 };
    });
  }

  async hold(...args: Parameters<ReportStore['hold']>): Promise<QueueEntryRecord> {
    const [appId, roomId, messageId, at, outbox] = args;
    return this.db.transaction(async (tx) => {
      if ((await tx.query(lockMessage, [roomId, messageId])).length === 0) throw messageNotFound();
      await tx.query(q.openEntry, [messageId, appId, roomId, 'held', at]);
      const entry = await entryNow(tx, appId, messageId);
      if (outbox) await writeOutbox(tx, outbox(entry));
      return entry;
    });
  }

  async setVisibility(roomId: RoomId, messageId: MessageId, visibility: MessageVisibility): Promise<Message> {
    return this.db.transaction(async (tx) => {
      await tx.query(q.setVisibility, [roomId, messageId, visibility]);
      const [row] = await tx.query<MessageRow>(readMessage, [roomId, messageId]);
      if (!row) throw messageNotFound();
      return toMessage(row);
    });
  }

  async queue(appId: AppId, filter: QueueFilter): Promise<QueueEntryRecord[]> {
    const values = queueValues(appId, filter, NO_BOUND, tsQuery);
    if (!values) return [];
    const rows = await this.db.query<QueueRow>(filter.match ? queueMatching : q.queue, values);
    return rows.map(toQueueEntry);
  }

  async entry(appId: AppId, messageId: MessageId): Promise<QueueEntryRecord | null> {
    const [row] = await this.db.query<QueueRow>(q.entry, [appId, messageId]);
    return row ? toQueueEntry(row) : null;
  }

  async reports(messageId: MessageId, limit: number): Promise<ReportRecord[]> {
    return (await this.db.query<ReportRow>(q.reports, [messageId, limit])).map(toReport);
  }

  async resolve(appId: AppId, messageId: MessageId, r: NewResolution): Promise<QueueEntryRecord | null> {
    return this.db.transaction(async (tx) => {
      const done = await tx.query(resolve, [appId, messageId, r.action, r.by, r.at, r.note]);
      return done.length === 0 ? null : entryNow(tx, appId, messageId);
    });
  }

  async moderationCounts(appId: AppId, userId: UserId) {
    return toModerationCounts(
      await this.db.query<{ kind: string; n: number }>(q.moderationCounts, [appId, userId]),
    );
  }

  async putShadowMute(m: ShadowMute): Promise<void> {
    await this.db.query(q.putShadowMute, [m.appId, m.userId, m.expiresAt, m.reason, m.by, m.createdAt]);
  }

  async deleteShadowMute(appId: AppId, userId: UserId): Promise<boolean> {
    return (await this.db.query(deleteShadowMute, [appId, userId])).length > 0;
  }

  async listShadowMutes(appId: AppId, now: number): Promise<ShadowMute[]> {
    return (await this.db.query<BanRow>(q.listShadowMutes, [appId, now])).map(toBan);
  }
}
