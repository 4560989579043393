/**
 * The message writer's thread (docs/storage.md, "The message writer"). It has its own connection to the
 * database file and runs the appends the main thread sends, a batch at a time (batch.ts: one transaction per
 * batch, a savepoint per append); the outcomes go back only after COMMIT.
 */
import Database from 'better-sqlite3';
import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { BatchAppender, type BatchOutcome } from './batch.js';
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

function wire(id: number, outcome: BatchOutcome): Outcome {
  return outcome.ok
    ? { id, ok: true, result: outcome.result }
    : { id, ok: false, error: toWire(outcome.error) };
}

function main(): void {
  const port = parentPort;
  if (!port || !isWriterData(workerData)) throw new Error('the message writer runs as a worker thread');
  const db = open(workerData);
  const batches = new BatchAppender(db);
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
    const { items } = message;
    const outcomes = batches.run(items.map((item) => item.input));
    // run() answers every input, in order.
    post({ kind: 'done', outcomes: items.map((item, i) => wire(item.id, outcomes[i] as BatchOutcome)) });
  });
  post({ kind: 'ready' });
}

main();
