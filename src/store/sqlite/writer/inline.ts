/**
 * The default message writer: group commit on the event loop. The appends that arrive in one turn of the event
 * loop (every socket read of its poll phase) wait for the end of the turn and are committed together as one
 * batch (batch.ts), on the main connection; each is answered only after the COMMIT. A batch never holds more
 * than MAX_BATCH appends: the one that fills it commits it at once. Per message, a commit of its own cost as much
 * as the rest of the append (the WAL pages of every index and the search index's flush); a batch shares them.
 */
import type Database from 'better-sqlite3';
import { setImmediate as atEndOfTurn } from 'node:timers';
import { ParleyError } from '../../../core/errors.js';
import type { AppendResult, NewMessage } from '../../../engine/ports/store.js';
import { BatchAppender, MAX_BATCH } from './batch.js';

interface Pending {
  input: NewMessage;
  resolve(result: AppendResult): void;
  reject(err: unknown): void;
}

export class InlineMessageWriter {
  private readonly batches: BatchAppender;
  private queue: Pending[] = [];
  private scheduled = false;
  private closed = false;

  constructor(private readonly db: Database.Database) {
    this.batches = new BatchAppender(db);
  }

  append(input: NewMessage): Promise<AppendResult> {
    if (this.closed || !this.db.open) {
      return Promise.reject(new ParleyError('unavailable', 'the database is closed'));
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (this.queue.length >= MAX_BATCH) this.commit();
      else if (!this.scheduled) {
        this.scheduled = true;
        atEndOfTurn(() => {
          this.scheduled = false;
          this.commit();
        });
      }
    });
  }

  /** Commits what is queued now: at the end of the turn, when a batch is full, or on close. */
  private commit(): void {
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    if (!this.db.open) {
      const closed = new ParleyError('unavailable', 'the database is closed');
      for (const pending of batch) pending.reject(closed);
      return;
    }
    const outcomes = this.batches.run(batch.map((pending) => pending.input));
    // run() answers every input, in order.
    outcomes.forEach((outcome, i) => {
      const pending = batch[i] as Pending;
      if (outcome.ok) pending.resolve(outcome.result);
      else pending.reject(outcome.error);
    });
  }

  /** Commits what is queued and refuses what comes after (the store closes the database next). */
  async close(): Promise<void> {
    this.closed = true;
    this.commit();
  }
}
