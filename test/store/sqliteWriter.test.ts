// The message writers (src/store/sqlite/writer): group commit in a worker thread, or on the event loop (the
// default). The store contracts hold for both (sqliteWorker.test.ts, sqlite.test.ts); these are the properties
// of their own: order and gapless seqs under load, dedup within one batch, a close that drains; for the worker,
// a worker that dies; for the inline writer, one commit per turn and no ack before it.
import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import { ParleyError } from '../../src/core/errors.js';
import type { App, Room, User } from '../../src/core/types.js';
import type { AppendResult, NewMessage, Store } from '../../src/engine/ports/store.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { MAX_BATCH } from '../../src/store/sqlite/writer/batch.js';
import { MessageWriter } from '../../src/store/sqlite/writer/index.js';
import { InlineMessageWriter } from '../../src/store/sqlite/writer/inline.js';

const T0 = 1_700_000_000_000;
/** How long the mid-turn test's one turn may last before it gives up (the failure without the answer taken mid-turn). */
const TURN_LIMIT_MS = 10_000;

type WriterKind = 'worker' | 'inline';

/** The writer under test on its own connection to the file: a worker thread's, or one opened here. */
function startWriter(kind: WriterKind, path: string) {
  if (kind === 'worker') {
    const worker = new MessageWriter({ path, synchronous: 'NORMAL' });
    return { writer: worker, worker, close: () => worker.close() };
  }
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  const inline = new InlineMessageWriter(db);
  return {
    writer: inline,
    worker: null,
    close: async () => {
      await inline.close();
      db.close();
    },
  };
}

describe.each<WriterKind>(['worker', 'inline'])('sqlite message writer: %s', (kind) => {
  let dir: string;
  let path: string;
  // The main connection, for setting up and reading back; the writer under test is a second one.
  let store: Store;
  let started: ReturnType<typeof startWriter>;
  let writer: MessageWriter | InlineMessageWriter;
  let app: App;
  let alice: User;
  let rooms: Room[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-writer-'));
    path = join(dir, 'parley.db');
    store = openSqliteStore({ path });
    app = await store.directory.createApp('app', DEFAULT_APP_SETTINGS, T0);
    alice = await store.directory.createUser(
      app.id,
      { username: 'alice', role: 'member', kind: 'account', passwordHash: null },
      T0,
    );
    rooms = [];
    for (const name of ['a', 'b', 'c']) {
      rooms.push(
        await store.directory.createRoom(app.id, { name, visibility: 'public', createdBy: null }, T0),
      );
    }
    started = startWriter(kind, path);
    writer = started.writer;
  });

  afterEach(async () => {
    await started.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const message = (room: Room, text: string, clientMsgId: string | null = null): NewMessage => ({
    appId: app.id,
    roomId: room.id,
    kind: 'text',
    authorId: alice.id,
    text,
    html: text,
    clientMsgId,
    createdAt: T0,
  });

  async function texts(room: Room): Promise<{ seq: number; text: string }[]> {
    const stored = await store.messages.range(room.id, { afterSeq: 0, limit: 10_000 });
    return stored.map((m) => ({ seq: m.seq, text: m.text }));
  }

  /** The room's stored messages as the test's own connection sees them, synchronously: what the writer committed. */
  function storedIn(room: Room): { stored: () => number; reader: Database.Database } {
    const reader = new Database(path, { readonly: true });
    const count = reader.prepare<[number], number>('SELECT count(*) FROM messages WHERE room_id = ?').pluck();
    return { stored: () => count.get(room.id) ?? 0, reader };
  }

  async function codeOf(promise: Promise<unknown>): Promise<string> {
    try {
      await promise;
      return 'ok';
    } catch (err) {
      return err instanceof ParleyError ? err.code : String(err);
    }
  }

  it('[writer.order] many concurrent appends to several rooms keep the call order per room, with gapless seqs', async () => {
    const n = 600;
    const calls: Promise<AppendResult>[] = [];
    for (let i = 0; i < n; i += 1) {
      const room = rooms[i % rooms.length];
      if (room) calls.push(writer.append(message(room, `m${i}`)));
    }
    const results = await Promise.all(calls);
    expect(results.every((r) => !r.duplicate)).toBe(true);
    for (const [index, room] of rooms.entries()) {
      const expected = [];
      for (let i = index, seq = 1; i < n; i += rooms.length, seq += 1) expected.push({ seq, text: `m${i}` });
      expect(await texts(room)).toEqual(expected);
      expect(await store.messages.lastSeq(room.id)).toBe(expected.length);
    }
  });

  it('[writer.batch-errors] an append refused in a batch fails alone with its catalogue error', async () => {
    const [room] = rooms;
    if (!room) throw new Error('no room');
    const outcomes = await Promise.all([
      codeOf(writer.append(message(room, 'one'))),
      codeOf(writer.append({ ...message(room, 'lost'), roomId: room.id + 1000 })),
      codeOf(writer.append({ ...message(room, 'orphan'), replyTo: 999_999 })),
      codeOf(writer.append(message(room, 'two'))),
    ]);
    expect(outcomes).toEqual(['ok', 'not_found', 'not_found', 'ok']);
    expect(await texts(room)).toEqual([
      { seq: 1, text: 'one' },
      { seq: 2, text: 'two' },
    ]);
  });

  it('[writer.dedup-batch] two appends with the same clientMsgId in one batch: the second is a duplicate', async () => {
    const [room] = rooms;
    if (!room) throw new Error('no room');
    // While the warm-up's batch runs, the four queue up and go together as the next batch (or, with a worker
    // not yet ready, all five go as the first): each pair is in one batch, the second after the first.
    const warmUp = writer.append(message(room, 'warm-up'));
    const [first, second, third, fourth] = await Promise.all([
      writer.append(message(room, 'hello', 'c1')),
      writer.append(message(room, 'other', 'c2')),
      writer.append(message(room, 'other again', 'c2')),
      writer.append(message(room, 'hello again', 'c1')),
    ]);
    expect([first?.duplicate, second?.duplicate, third?.duplicate, fourth?.duplicate]).toEqual([
      false,
      false,
      true,
      true,
    ]);
    await warmUp;
    expect(third?.message.id).toBe(second?.message.id);
    expect(fourth?.message).toEqual(first?.message);
    expect(await texts(room)).toEqual([
      { seq: 1, text: 'warm-up' },
      { seq: 2, text: 'hello' },
      { seq: 3, text: 'other' },
    ]);
  });

  it.runIf(kind === 'worker')(
    '[writer.restart] a worker that dies fails its appends with unavailable, and the next ones succeed',
    async () => {
      const [room] = rooms;
      const worker = started.worker;
      if (!room || !worker) throw new Error('no room or no worker');
      await writer.append(message(room, 'before'));
      const inFlight = [
        writer.append(message(room, 'in flight 1')),
        writer.append(message(room, 'in flight 2')),
      ];
      const outcomes = Promise.all(inFlight.map(codeOf));
      await worker.killWorkerForTest();
      expect(await outcomes).toEqual(['unavailable', 'unavailable']);
      // Refused at once until the new worker is up, then accepted: retried as a client would.
      let after: AppendResult | null = null;
      while (!after) {
        after = await writer.append(message(room, 'after', 'retry-1')).catch((err: unknown) => {
          if (!(err instanceof ParleyError) || err.code !== 'unavailable') throw err;
          return new Promise<null>((resolve) => setImmediate(() => resolve(null)));
        });
      }
      expect(after.duplicate).toBe(false);
      // Seqs stay gapless whatever the dead batch did: it committed whole or not at all.
      const stored = await texts(room);
      expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
      expect(stored.at(-1)?.text).toBe('after');
    },
  );

  it('[writer.close-drains] close commits and answers every queued append before the worker ends', async () => {
    const [room] = rooms;
    if (!room) throw new Error('no room');
    const calls = Array.from({ length: 300 }, (_, i) => writer.append(message(room, `q${i}`)));
    const closed = writer.close();
    await expect(writer.append(message(room, 'too late'))).rejects.toMatchObject({ code: 'unavailable' });
    const results = await Promise.all(calls);
    await closed;
    expect(results.map((r) => r.message.seq)).toEqual(calls.map((_, i) => i + 1));
    expect((await texts(room)).length).toBe(300);
  });

  // The writer on a busy event loop: a server that reads a backlog of sends from many sockets spends one long
  // turn of the loop on it. The worker's answer to a batch must not wait for that turn to end, or the writer
  // commits one batch per turn and the acks fall ever further behind (under the bench's S3 load: the first
  // message acknowledged, then none within the measured window).
  it.runIf(kind === 'worker')(
    '[writer.mid-turn] the next batch goes out once the last one committed, without the loop turning',
    async () => {
      const room = rooms[0] as Room;
      await writer.append(message(room, 'warm-up'));
      const { stored, reader } = storedIn(room);
      try {
        const first = writer.append(message(room, 'first'));
        // The rest of one long turn: sends keep arriving (here one, under a single clientMsgId, so that it is
        // stored once however many times it comes) and nothing awaits. The second message can only be committed
        // if the writer takes the first batch's answer as they arrive and sends it the next batch.
        const more: Promise<AppendResult>[] = [];
        const deadline = Date.now() + TURN_LIMIT_MS;
        let lastSent = 0;
        while (stored() < 3 && Date.now() < deadline) {
          const now = Date.now();
          if (stored() === 2 && now !== lastSent) {
            lastSent = now;
            more.push(writer.append(message(room, 'second', 'second')));
          }
        }
        expect(stored()).toBe(3);
        expect((await first).duplicate).toBe(false);
        const results = await Promise.all(more);
        expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      } finally {
        reader.close();
      }
    },
  );

  it.runIf(kind === 'inline')(
    '[writer.inline-turn] one turn’s appends commit together at its end, none acknowledged before another connection can read it',
    async () => {
      const room = rooms[0] as Room;
      const { stored, reader } = storedIn(room);
      try {
        const seenAtAck: number[] = [];
        const ack = (result: AppendResult) => {
          seenAtAck.push(stored() - result.message.seq);
          return result;
        };
        const few = Array.from({ length: 5 }, (_, i) => writer.append(message(room, `few${i}`)).then(ack));
        expect(stored()).toBe(0);
        await Promise.all(few);
        expect(stored()).toBe(5);
        // A full batch does not wait for the end of the turn: the append that fills it commits it.
        const many = Array.from({ length: MAX_BATCH + 3 }, (_, i) =>
          writer.append(message(room, `many${i}`)).then(ack),
        );
        expect(stored()).toBe(5 + MAX_BATCH);
        await Promise.all(many);
        expect(stored()).toBe(8 + MAX_BATCH);
        // Each ack came when its message (and every one before it) was readable from elsewhere.
        expect(seenAtAck.every((ahead) => ahead >= 0)).toBe(true);
        expect(seenAtAck).toHaveLength(8 + MAX_BATCH);
      } finally {
        reader.close();
      }
    },
  );
});
