/**
 * [store.sqlite.checkpoint] With background checkpoints on, the WAL is copied into the database file by the
 * worker thread, not by a commit on the event loop: the writer alone would not checkpoint before the WAL is
 * BACKSTOP_PAGES long, yet the database file grows after writes that stay far below that.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import { BACKSTOP_PAGES } from '../../src/store/sqlite/checkpointer.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/engine/ports/store.js';
import { waitFor } from '../helpers/wait.js';

const T0 = 1_700_000_000_000;
let dir = '';
let store: Store | null = null;

afterEach(async () => {
  await store?.close();
  store = null;
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('[store.sqlite.checkpoint] a worker thread checkpoints the WAL while the writer keeps writing', async () => {
  dir = await mkdtemp(join(tmpdir(), 'parley-checkpoint-'));
  const path = join(dir, 'parley.db');
  const errors: string[] = [];
  store = openSqliteStore({ path, backgroundCheckpointMs: 20, onCheckpointError: (m) => errors.push(m) });
  const app = await store.directory.createApp('a', DEFAULT_APP_SETTINGS, T0);
  const room = await store.directory.createRoom(
    app.id,
    { name: 'r', visibility: 'public', createdBy: null },
    T0,
  );
  const before = (await stat(path)).size;
  const text = 'x'.repeat(1000);
  // About 600 KB of messages, a few pages of WAL each: far more than the database file held, far less WAL than
  // the writer's own threshold.
  for (let i = 0; i < 600; i++) {
    await store.messages.append({
      appId: app.id,
      roomId: room.id,
      kind: 'text',
      authorId: null,
      text,
      html: text,
      clientMsgId: null,
      createdAt: T0 + i,
    });
  }
  expect((await stat(`${path}-wal`)).size).toBeLessThan(BACKSTOP_PAGES * 4096);
  await waitFor(async () => (await stat(path)).size > before + 500_000, {
    label: 'the database file to receive the checkpointed pages',
  });
  expect(await store.messages.lastSeq(room.id)).toBe(600);
  expect(errors).toEqual([]);
});
