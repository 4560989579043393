import type Database from 'better-sqlite3';
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
  sqliteParams,
  sqliteText,
  toModerationCounts,
  toQueueEntry,
  toReport,
  type QueueRow,
  type ReportRow,
} from '../reportRows.js';
import { toBan, type BanRow } from '../rows.js';
import type { EventOutbox, NewDelivery } from '../../engine/ports/webhookStore.js';
import { guard } from './errors.js';
import { sqliteOutboxWriter } from './webhooks.js';
import { ftsQuery } from './search.js';
import type { SqliteMessageLog } from './messageLog.js';

type Key = keyof typeof REPORT_SQL;
type Outbox = EventOutbox<QueueEntryRecord> | undefined;

/** The queue's text filter: the search index's matches (search.ts), quoted as search quotes them. */
const QUEUE_MATCH = 'AND q.message_id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH $7)';

/** An open upper bound for `message_id < ?`, where SQLite wants a number. */
const NO_BOUND = Number.MAX_SAFE_INTEGER;

export class SqliteReportStore implements ReportStore {
  private readonly statements = new Map<Key, Database.Statement>();
  private readonly queueMatching: Database.Statement;
  private readonly writeOutbox: (deliveries: readonly NewDelivery[]) => void;
  private readonly addTx: (input: NewReport, outbox: Outbox) => ReportOutcome;
  private readonly holdTx: (
    appId: AppId,
    roomId: RoomId,
    messageId: MessageId,
    at: number,
    outbox: Outbox,
  ) => QueueEntryRecord;

  constructor(
    private readonly db: Database.Database,
    private readonly messages: Pick<SqliteMessageLog, 'get'>,
  ) {
    for (const [key, text] of Object.entries(REPORT_SQL))
      this.statements.set(key as Key, db.prepare(sqliteText(text)));
    // IMMEDIATE: the report, the entry and the count of established reporters are read and written together.
    this.writeOutbox = sqliteOutboxWriter(db);
    const add = db.transaction((input: NewReport, outbox: Outbox) => this.addLocked(input, outbox));
    this.addTx = (input, outbox) => add.immediate(input, outbox);
    const hold = db.transaction(
      (appId: AppId, roomId: RoomId, messageId: MessageId, at: number, outbox: Outbox) => {
        this.requireMessage(roomId, messageId);
        this.run('openEntry', [messageId, appId, roomId, 'held', at]);
        const entry = this.entryNow(appId, messageId);
        if (outbox) this.writeOutbox(outbox(entry));
        return entry;
      },
    );
    this.holdTx = (...args) => hold.immediate(...args);
    this.queueMatching = db.prepare(sqliteText(queueSql(QUEUE_MATCH)));
  }

  private statement(key: Key): Database.Statement {
    const statement = this.statements.get(key);
    if (!statement) throw new Error(`no statement ${key}`);
    return statement;
  }

  private rows<R>(key: Key, values: readonly unknown[]): R[] {
    return this.statement(key).all(sqliteParams(values)) as R[];
  }

  private run(key: Key, values: readonly unknown[]): number {
    return this.statement(key).run(sqliteParams(values)).changes;
  }

  private requireMessage(roomId: RoomId, messageId: MessageId): void {
    if (this.rows('message', [roomId, messageId]).length === 0) throw messageNotFound();
  }

  private entryNow(appId: AppId, messageId: MessageId): QueueEntryRecord {
    const [row] = this.rows<QueueRow>('entry', [appId, messageId]);
    if (!row) throw new Error('a queue entry just written was not found');
    return toQueueEntry(row);
  }

  private addLocked(input: NewReport, outbox: Outbox): ReportOutcome {
    const { appId, roomId, messageId, reporterId, at } = input;
    this.requireMessage(roomId, messageId);
    const added = this.run('insertReport', [messageId, reporterId, input.reason, input.text, at]) > 0;
    if (added) this.run('openEntry', [messageId, appId, roomId, input.reason, at]);
    const [report] = this.rows<ReportRow>('report', [messageId, reporterId]);
    if (!report) throw new Error('a report just written was not found');
    const [counted] = this.rows<{ n: number }>('established', [messageId, input.establishedBefore]);
    const entry = this.entryNow(appId, messageId);
    if (added && outbox) this.writeOutbox(outbox(entry));
    return { added, report: toReport(report), entry, established: counted?.n ?? 0 };
  }

  async add(input: NewReport, outbox?: Outbox): Promise<ReportOutcome> {
    return guard(this.db, () => this.addTx(input, outbox));
  }

  async hold(...args: Parameters<ReportStore['hold']>): Promise<QueueEntryRecord> {
    const [appId, roomId, messageId, at, outbox] = args;
    return guard(this.db, () => this.holdTx(appId, roomId, messageId, at, outbox));
  }

  async setVisibility(roomId: RoomId, messageId: MessageId, visibility: MessageVisibility): Promise<Message> {
    guard(this.db, () => {
      if (this.run('setVisibility', [roomId, messageId, visibility]) === 0) throw messageNotFound();
    });
    const message = await this.messages.get(roomId, messageId);
    if (!message) throw messageNotFound();
    return message;
  }

  async queue(appId: AppId, filter: QueueFilter): Promise<QueueEntryRecord[]> {
    const values = queueValues(appId, filter, NO_BOUND, ftsQuery);
    if (!values) return [];
    return guard(this.db, () => {
      const rows = filter.match ? this.queueMatching.all(sqliteParams(values)) : this.rows('queue', values);
      return (rows as QueueRow[]).map(toQueueEntry);
    });
  }

  async entry(appId: AppId, messageId: MessageId): Promise<QueueEntryRecord | null> {
    return guard(this.db, () => {
      const [row] = this.rows<QueueRow>('entry', [appId, messageId]);
      return row ? toQueueEntry(row) : null;
    });
  }

  async reports(messageId: MessageId, limit: number): Promise<ReportRecord[]> {
    return guard(this.db, () => this.rows<ReportRow>('reports', [messageId, limit]).map(toReport));
  }

  async resolve(appId: AppId, messageId: MessageId, r: NewResolution): Promise<QueueEntryRecord | null> {
    return guard(this.db, () => {
      if (this.run('resolve', [appId, messageId, r.action, r.by, r.at, r.note]) === 0) return null;
      return this.entryNow(appId, messageId);
    });
  }

  async moderationCounts(appId: AppId, userId: UserId) {
    return guard(this.db, () => toModerationCounts(this.rows('moderationCounts', [appId, userId])));
  }

  async putShadowMute(m: ShadowMute): Promise<void> {
    guard(this.db, () =>
      this.run('putShadowMute', [m.appId, m.userId, m.expiresAt, m.reason, m.by, m.createdAt]),
    );
  }

  async deleteShadowMute(appId: AppId, userId: UserId): Promise<boolean> {
    return guard(this.db, () => this.run('deleteShadowMute', [appId, userId]) > 0);
  }

  async listShadowMutes(appId: AppId, now: number): Promise<ShadowMute[]> {
    return guard(this.db, () => this.rows<BanRow>('listShadowMutes', [appId, now]).map(toBan));
  }
}
