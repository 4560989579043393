/**
 * A batch of appends stored in one transaction of a constant number of round trips, whatever its size: BEGIN; the
 * stored function (appendBatchSql.ts) with the whole batch as JSON; one read of the stored rows; one insert of
 * their webhook outbox rows; COMMIT. Every append is answered only after that COMMIT.
 */
import { messageDeliveries } from '../../core/messageOutbox.js';
import { ParleyError } from '../../core/errors.js';
import { appendQueueFull, roomNotFound, slowMode } from '../../core/failures.js';
import { REPLY_EXCERPT_MAX, replyParentNotFound } from '../../core/replies.js';
import type { Message } from '../../core/types.js';
import type { AppendResult, NewMessage } from '../../engine/ports/store.js';
import type { NewDelivery } from '../../engine/ports/webhookStore.js';
import { toMessage, type MessageRow } from '../rows.js';
import { AppendBatcher, type Settled } from './appendBatcher.js';
import { sql, type Db, type Statement } from './db.js';
import { writeOutboxMany } from './webhooks.js';

/** The most appends one batch stores: a batch holds its rooms' locks until it commits, so it stays short. */
export const MAX_APPEND_BATCH = 256;
/** The most appends a node keeps waiting for a batch; one more is refused with `rate_limited` (failures.ts). */
export const MAX_APPENDS_QUEUED = 8192;

const call = sql('msg.append-batch', 'SELECT parley_append_batch($1::jsonb, $2) AS results');

/** What the stored function answers for one append. */
type Answer =
  | { id: number; duplicate: boolean; error?: undefined }
  | { error: 'room' | 'reply' }
  | { error: 'slow'; retryAfterMs: number; slowModeSeconds: number };

/** The webhook rows of a stored message: the one place that reads `NewMessage.outbox`. */
export function outboxRows(input: NewMessage, message: Message): readonly NewDelivery[] {
  return input.outbox ? messageDeliveries(input.outbox, message) : [];
}

/** An append as the stored function reads it (absent keys are null there). */
function wire(input: NewMessage) {
  return {
    appId: input.appId,
    roomId: input.roomId,
    kind: input.kind,
    authorId: input.authorId,
    text: input.text,
    html: input.html,
    clientMsgId: input.clientMsgId,
    createdAt: input.createdAt,
    replyTo: input.replyTo ?? null,
    mentions: input.mentions ?? null,
    visibility: input.visibility ?? null,
    slowMode: input.slowMode === true,
  };
}

function refusal(answer: Exclude<Answer, { id: number }>): ParleyError {
  if (answer.error === 'slow') return slowMode(answer.retryAfterMs, answer.slowModeSeconds);
  return answer.error === 'room' ? roomNotFound() : replyParentNotFound();
}

async function storeBatch(
  db: Db,
  readByIds: Statement,
  items: readonly NewMessage[],
): Promise<Settled<AppendResult>[]> {
  return db.transaction(async (tx) => {
    const [called] = await tx.query<{ results: Answer[] }>(call, [
      JSON.stringify(items.map(wire)),
      REPLY_EXCERPT_MAX,
    ]);
    const answers = called?.results ?? [];
    if (answers.length !== items.length)
      throw new Error('the append batch answered the wrong number of items');
    const ids = answers.flatMap((a) => (a.error === undefined ? [a.id] : []));
    const rows = ids.length === 0 ? [] : await tx.query<MessageRow>(readByIds, [ids]);
    const stored = new Map(rows.map((row) => [row.id, toMessage(row)]));
    const deliveries: NewDelivery[] = [];
    const settled = answers.map((answer, i): Settled<AppendResult> => {
      if (answer.error !== undefined) return { ok: false, error: refusal(answer) };
      const message = stored.get(answer.id);
      const input = items[i];
      if (!message || !input) throw new Error('a message of the batch could not be read back');
      if (!answer.duplicate) deliveries.push(...outboxRows(input, message));
      return { ok: true, value: { message, duplicate: answer.duplicate } };
    });
    await writeOutboxMany(tx, deliveries);
    return settled;
  });
}

/**
 * Stores `items` as one batch. When the batch fails as a whole for something other than the database being
 * unavailable (one append broke a constraint, e.g. its author was removed meanwhile), each append is stored again
 * on its own, in order, so that only the one at fault fails.
 */
async function runAppendBatch(
  db: Db,
  readByIds: Statement,
  items: readonly NewMessage[],
): Promise<Settled<AppendResult>[]> {
  try {
    return await storeBatch(db, readByIds, items);
  } catch (err) {
    if (items.length === 1 || (err instanceof ParleyError && err.code === 'unavailable')) throw err;
  }
  const settled: Settled<AppendResult>[] = [];
  for (const item of items) {
    try {
      settled.push(...(await storeBatch(db, readByIds, [item])));
    } catch (error) {
      settled.push({ ok: false, error });
    }
  }
  return settled;
}

/** The node's queue of appends for `db`; `readByIds` reads stored messages by `$1`, an array of ids. */
export function appendBatcher(db: Db, readByIds: Statement): AppendBatcher<NewMessage, AppendResult> {
  return new AppendBatcher({
    maxBatch: MAX_APPEND_BATCH,
    maxQueued: MAX_APPENDS_QUEUED,
    run: (items) => runAppendBatch(db, readByIds, items),
    full: () => appendQueueFull(MAX_APPENDS_QUEUED),
  });
}
