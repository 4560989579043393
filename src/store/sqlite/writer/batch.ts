/**
 * One batch of appends in one transaction, a savepoint each: what both message writers run (inline.ts on the
 * event loop, worker.ts in its thread). One commit, so one WAL append (synchronous=NORMAL) or one fsync (FULL),
 * one round of lock taking and one flush of the search index's pending terms serve every message of the batch;
 * an append refused by the catalogue (room_not_found, slow_mode, a reply parent missing) is undone alone while
 * the others commit. Nothing is answered before COMMIT: an append is never acknowledged before it is durable.
 */
import type Database from 'better-sqlite3';
import type { AppendResult, NewMessage } from '../../../engine/ports/store.js';
import { MessageAppender } from '../append.js';
import { mapSqliteError } from '../errors.js';

/** Appends in one transaction at most: a bigger batch would hold the write lock (and the other writes) longer. */
export const MAX_BATCH = 256;

export type BatchOutcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

/** Runs batches of appends on one connection, with its transaction statements prepared once. */
export class BatchAppender {
  private readonly appender: MessageAppender;
  private readonly sql;

  constructor(private readonly db: Database.Database) {
    this.appender = new MessageAppender(db);
    // Prepared, not exec'd: a batch runs two of them per append, and parsing them each time showed in profiles.
    this.sql = {
      // IMMEDIATE takes the write lock before the first dedup read, so another process cannot slip the same
      // clientMsgId (or the same seq) in between the check and the insert; waits up to busy_timeout.
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT append'),
      release: db.prepare('RELEASE append'),
      undo: db.prepare('ROLLBACK TO append'),
    };
  }

  /** Runs the batch; a failure of the transaction itself (busy, disk full, I/O) fails every append in it. */
  run(inputs: readonly NewMessage[]): BatchOutcome[] {
    const { db, sql } = this;
    const outcomes: BatchOutcome[] = [];
    try {
      sql.begin.run();
      for (const input of inputs) {
        sql.savepoint.run();
        try {
          outcomes.push({ ok: true, result: this.appender.append(input) });
          sql.release.run();
        } catch (err) {
          sql.undo.run();
          sql.release.run();
          outcomes.push({ ok: false, error: mapSqliteError(err) });
        }
      }
      sql.commit.run();
      return outcomes;
    } catch (err) {
      // Nothing of the batch is stored, so every append in it fails, those that had succeeded included.
      if (db.inTransaction) sql.rollback.run();
      const error = mapSqliteError(err);
      return inputs.map((): BatchOutcome => ({ ok: false, error }));
    }
  }
}
