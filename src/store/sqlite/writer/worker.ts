/**
 * The message writer's thread (docs/storage.md, "The message writer"). It has its own connection to the
 * database file and runs the appends the main thread sends, a batch at a time: one transaction per batch, so
 * that one fsync (synchronous=FULL) or one WAL append (NORMAL) and one round of lock taking serves every message
 * in it, and a savepoint per append, so that an append refused by the catalogue (room_not_found, slow_mode, a
 * reply parent missing) is undone alone while the others commit. The outcomes go back only after COMMIT: an
 * append is never acknowledged before it is durable.
 */
import Database from 'better-sqlite3';
import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { NewMessage } from '../../../engine/ports/store.js';
import { MessageAppender } from '../append.js';
import { mapSqliteError } from '../errors.js';
import { asToWorker, toWire, type FromWorker, type Outcome, type WriterData } from './protocol.js';

function isWriterData(value: unknown): value is WriterData {
  if (typeof value !== 'object' || value === null) return false;
  const synchronous: unknown = Reflect.get(value, 'synchronous');
  return (
    typeof Reflect.get(value, 'path') === 'string' &&
    (synchronous === 'NORMAL' || synchronous === 'FULL') &&
    Reflect.get(value, 'replies') instanceof MessagePort
  );
}

function open(data: WriterData): Database.Database {
  const db = new Database(data.path);
  // The same settings as the main connection (index.ts); the schema is already migrated by it.
  db.pragma('busy_timeout = 5000');
  db.pragma(`synchronous = ${data.synchronous}`);
  db.pragma('foreign_keys = ON');
  return db;
}

/** Runs one batch and answers each append; a failure of the transaction itself fails them all. */
function runBatch(
  db: Database.Database,
  appender: MessageAppender,
  items: { id: number; input: NewMessage }[],
) {
  const outcomes: Outcome[] = [];
  try {
    // IMMEDIATE takes the write lock before the first dedup read (see messageLog.ts); waits up to busy_timeout
    // for the main connection or another process.
    db.exec('BEGIN IMMEDIATE');
    for (const { id, input } of items) {
      db.exec('SAVEPOINT append');
      try {
        outcomes.push({ id, ok: true, result: appender.append(input) });
        db.exec('RELEASE append');
      } catch (err) {
        db.exec('ROLLBACK TO append');
        db.exec('RELEASE append');
        outcomes.push({ id, ok: false, error: toWire(mapSqliteError(err)) });
      }
    }
    db.exec('COMMIT');
    return outcomes;
  } catch (err) {
    // BEGIN, COMMIT or a savepoint failed (busy past the timeout, disk full, I/O error): nothing of the batch
    // is stored, so every append in it fails, those that had succeeded included.
    if (db.inTransaction) db.exec('ROLLBACK');
    const error = toWire(mapSqliteError(err));
    return items.map(({ id }): Outcome => ({ id, ok: false, error }));
  }
}

function main(): void {
  const port = parentPort;
  if (!port || !isWriterData(workerData)) throw new Error('the message writer runs as a worker thread');
  const db = open(workerData);
  const appender = new MessageAppender(db);
  const replies = workerData.replies;
  const post = (message: FromWorker) => replies.postMessage(message);
  port.on('message', (value: unknown) => {
    const message = asToWorker(value);
    if (!message) return;
    if (message.kind === 'stop') {
      db.close();
      replies.close();
      port.close();
      return;
    }
    post({ kind: 'done', outcomes: runBatch(db, appender, message.items) });
  });
  post({ kind: 'ready' });
}

main();
