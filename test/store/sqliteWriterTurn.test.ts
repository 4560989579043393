// The message writer on a busy event loop: a server that reads a backlog of sends from many sockets spends one
// long turn of the loop on it. The worker's answer to a batch must not wait for that turn to end, or the writer
// commits one batch per turn and the acks fall ever further behind (under the bench's S3 load: the first
// message acknowledged, then none within the measured window).
import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import type { App, Room, User } from '../../src/core/types.js';
import type { AppendResult, NewMessage, Store } from '../../src/engine/ports/store.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { MessageWriter } from '../../src/store/sqlite/writer/index.js';

const T0 = 1_700_000_000_000;
/** How long the test's one turn may last before it gives up (the failure without the answer taken mid-turn). */
const TURN_LIMIT_MS = 10_000;

describe('sqlite message writer within one turn of the event loop', () => {
  let dir: string;
  let path: string;
  let store: Store;
  let writer: MessageWriter;
  let app: App;
  let alice: User;
  let room: Room;

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
    room = await store.directory.createRoom(app.id, { name: 'a', visibility: 'public', createdBy: null }, T0);
    writer = new MessageWriter({ path, synchronous: 'NORMAL' });
  });

  afterEach(async () => {
    await writer.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const message = (text: string, clientMsgId: string | null = null): NewMessage => ({
    appId: app.id,
    roomId: room.id,
    kind: 'text',
    authorId: alice.id,
    text,
    html: text,
    clientMsgId,
    createdAt: T0,
  });

  it('[writer.mid-turn] the next batch goes out once the last one committed, without the loop turning', async () => {
    await writer.append(message('warm-up'));
    // The test's own connection sees what the worker committed, synchronously.
    const reader = new Database(path, { readonly: true });
    const count = reader.prepare<[number], number>('SELECT count(*) FROM messages WHERE room_id = ?').pluck();
    const stored = () => count.get(room.id) ?? 0;
    try {
      const first = writer.append(message('first'));
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
          more.push(writer.append(message('second', 'second')));
        }
      }
      expect(stored()).toBe(3);
      expect((await first).duplicate).toBe(false);
      const results = await Promise.all(more);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    } finally {
      reader.close();
    }
  });
});
