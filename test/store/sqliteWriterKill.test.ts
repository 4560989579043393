// SIGKILL during group commits: a child appends through the worker writer as fast as it can and is killed
// mid-run. After reopening, every append the child saw acknowledged is stored, seqs are gapless and the file
// is sound: an append is acknowledged only after its batch committed.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../../src/core/apps.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

const CHILD = fileURLToPath(new URL('./writerChild.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Acknowledgements to see before the kill: enough that batches are being committed back to back. */
const ACKS_BEFORE_KILL = 2_000;

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('[writer.sigkill] every acknowledged append survives a SIGKILL during group commits, with gapless seqs', async () => {
  dir = await mkdtemp(join(tmpdir(), 'parley-writer-kill-'));
  const path = join(dir, 'parley.db');
  const setup = openSqliteStore({ path });
  const app = await setup.directory.createApp('app', DEFAULT_APP_SETTINGS, 0);
  const user = await setup.directory.createUser(
    app.id,
    { username: 'alice', role: 'member', kind: 'account', passwordHash: null },
    0,
  );
  const room = await setup.directory.createRoom(
    app.id,
    { name: 'r', visibility: 'public', createdBy: null },
    0,
  );
  await setup.close();

  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, path, String(app.id), String(room.id), String(user.id)],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const acked = new Map<string, number>();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('close', (_code, signal) => resolve(signal)),
  );
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    child.once('close', () => reject(new Error(`the child ended before the kill: ${stderr}`)));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [word, clientMsgId, seq] = line.split(' ');
        if (word === 'ack' && clientMsgId && seq) acked.set(clientMsgId, Number(seq));
      }
      if (acked.size >= ACKS_BEFORE_KILL) resolve();
    });
  });
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');

  const db = new Database(path);
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const rows = db
      .prepare<[number], { seq: number; client_msg_id: string }>(
        'SELECT seq, client_msg_id FROM messages WHERE room_id = ? ORDER BY seq',
      )
      .all(room.id);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    const stored = new Map(rows.map((r) => [r.client_msg_id, r.seq]));
    const missing = [...acked].filter(([clientMsgId, seq]) => stored.get(clientMsgId) !== seq);
    expect(missing).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(acked.size);
  } finally {
    db.close();
  }
});
