/**
 * Issue 10, storage: real faults under a node that is sending. A full disk (a small tmpfs filled by a filler
 * file), a read-only data directory, another process holding SQLite's write lock, and a backup's long read
 * transaction. Each: sends are answered `unavailable` and never acknowledged falsely, /readyz is 503 while the
 * fault lasts, the node recovers on its own when the fault ends, and no acknowledged message is lost.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE } from '../../src/server.js';
import { fullHistory } from '../helpers/cluster.js';
import { makeTempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { recordOutcome } from './report.js';
import {
  FAULT_WAIT_MS,
  holdInOtherProcess,
  metricValue,
  readyStatus,
  runStorageFault,
  sendingClient,
  startFaultNode,
  type FaultMeasure,
} from './storageHarness.js';

const EXPECTED =
  'sends answered `unavailable`, never a false ack, no crash; /readyz 503 during the fault and 200 after; messages lost: 0';

function numbers(m: FaultMeasure): Record<string, number | string> {
  return {
    'time to detect (ms)': m.detectMs,
    'time to recover (ms)': m.recoverMs,
    'sends refused': m.refused,
    'messages acked': m.acked,
    'messages lost': m.lost,
  };
}

function expectHeld(m: FaultMeasure): void {
  expect(m.codes, 'every refusal is `unavailable`').toEqual(['unavailable']);
  expect(m.refused).toBeGreaterThanOrEqual(5);
  expect(m.lost, 'acknowledged messages missing from history').toBe(0);
}

/** A tmpfs of `size` mounted on a new directory, or the reason it could not be (not root, no mount). */
async function smallFilesystem(size: string): Promise<{ dir: string; unmount(): Promise<void> } | string> {
  const dir = await makeTempDir('parley-fault-fs-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    return `mount -t tmpfs failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  }
  return {
    dir,
    async unmount() {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Writes `path` until the filesystem has no space left. */
function fillUp(path: string): number {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  let written = 0;
  try {
    for (let size = chunk.length; size >= 512;) {
      try {
        written += writeSync(fd, chunk, 0, size);
      } catch {
        size /= 2;
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

/** A fault this machine cannot make: recorded as skipped, with why. */
function skipFault(ctx: { skip: (note: string) => void }, id: string, fault: string, reason: string): void {
  recordOutcome({ id, fault, expected: EXPECTED, measured: `skipped: ${reason}` });
  ctx.skip(reason);
}

/** A fault that was held: sends refused while it lasted, /readyz 503 then 200, nothing lost. */
function recordHeld(id: string, fault: string, m: FaultMeasure): void {
  recordOutcome({
    id,
    fault,
    expected: EXPECTED,
    measured: `refused ${m.refused} sends (${m.codes.join(', ')}), /readyz 503 then 200, ${m.lost} lost`,
    numbers: numbers(m),
  });
}

describe('issue 10 storage: faults of the SQLite data directory under traffic', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => {});
  });

  it('issue 10 storage: disk full — sends refused with unavailable, /readyz 503, recovery once space is back', async (ctx) => {
    const fs = await smallFilesystem('16m');
    if (typeof fs === 'string') {
      skipFault(ctx, 'S-disk-full', 'disk full', fs);
      return;
    }
    cleanups.push(() => fs.unmount());
    const node = await startFaultNode({ dataDir: join(fs.dir, 'data') });
    cleanups.push(() => node.close());
    const filler = join(fs.dir, 'filler');
    const m = await runStorageFault(node, {
      inject: async () => {
        fillUp(filler);
      },
      heal: async () => rmSync(filler),
    });
    expectHeld(m);
    recordHeld(
      'S-disk-full',
      'the data directory’s filesystem (a 16 MB tmpfs) filled up by another file, then freed',
      m,
    );
  });

  it('issue 10 storage: read-only data directory — remounting read-only under a live database', async (ctx) => {
    const fs = await smallFilesystem('16m');
    if (typeof fs === 'string') {
      skipFault(ctx, 'S-read-only', 'read-only data dir', fs);
      return;
    }
    cleanups.push(() => fs.unmount());
    const node = await startFaultNode({ dataDir: join(fs.dir, 'data') });
    cleanups.push(() => node.close());
    const remount = (mode: 'ro' | 'rw'): void => {
      execFileSync('mount', ['-o', `remount,${mode}`, fs.dir], { stdio: 'pipe' });
    };
    try {
      remount('ro');
    } catch (err) {
      // Linux refuses to make a filesystem read-only while a file on it is open for writing (EBUSY), and the
      // database always is: a read-only data directory can only meet a node at its start, which the open
      // path already answers with `unavailable` (test/store/sqlite.test.ts).
      const reason = `mount -o remount,ro refused while the database is open for writing: ${
        err instanceof Error ? err.message.split('\n')[0] : String(err)
      }`;
      skipFault(ctx, 'S-read-only', 'read-only data dir', reason);
      return;
    }
    remount('rw');
    const m = await runStorageFault(node, {
      inject: async () => remount('ro'),
      heal: async () => remount('rw'),
    });
    expectHeld(m);
    recordHeld('S-read-only', 'the data directory’s filesystem remounted read-only, then read-write', m);
  });

  it('issue 10 storage: lock held — another process holds BEGIN EXCLUSIVE, then commits', async () => {
    const node = await startFaultNode();
    cleanups.push(() => node.close());
    const path = join(node.server.dataDir, DB_FILE);
    let holder: Awaited<ReturnType<typeof holdInOtherProcess>> | null = null;
    cleanups.push(async () => holder?.release());
    const m = await runStorageFault(node, {
      inject: async () => {
        holder = await holdInOtherProcess(path, ['BEGIN EXCLUSIVE']);
      },
      heal: async () => holder?.release(),
    });
    expectHeld(m);
    recordHeld(
      'S-lock-held',
      'another process holds the SQLite write lock (BEGIN EXCLUSIVE), then commits',
      m,
    );
  });

  it('issue 10 storage: backup read transaction — the WAL grows and checkpoints report busy while it lasts, and the WAL is reset after', async () => {
    const node = await startFaultNode();
    cleanups.push(() => node.close());
    const path = join(node.server.dataDir, DB_FILE);
    const { room, stream } = await sendingClient(node);
    const busyAtStart = (await metricValue(node, 'parley_sqlite_checkpoints_busy_total')) ?? 0;
    const backup = await holdInOtherProcess(path, ['BEGIN', 'SELECT count(*) FROM messages']);
    cleanups.push(() => backup.release());
    stream.start();
    let peakWal = 0;
    let busy = 0;
    try {
      // A reader holding an old snapshot never blocks the writer: sends go on being acknowledged.
      await waitFor(
        async () => {
          peakWal = (await metricValue(node, 'parley_sqlite_wal_bytes')) ?? 0;
          busy = ((await metricValue(node, 'parley_sqlite_checkpoints_busy_total')) ?? 0) - busyAtStart;
          return peakWal > 1024 * 1024 && busy >= 2;
        },
        {
          timeoutMs: FAULT_WAIT_MS,
          intervalMs: 100,
          label: 'the WAL past 1 MB and busy checkpoints counted',
        },
      );
      expect(await readyStatus(node), 'a backup is not a fault').toBe(200);
      expect(stream.failures, 'no send refused while a reader is open').toEqual([]);
    } finally {
      await stream.stop();
    }
    const released = Date.now();
    await backup.release();
    // The next checkpoints copy the whole WAL and truncate it.
    await waitFor(async () => (await metricValue(node, 'parley_sqlite_wal_bytes')) === 0, {
      timeoutMs: FAULT_WAIT_MS,
      intervalMs: 100,
      label: 'the WAL reset after the reader ended',
    });
    const resetMs = Date.now() - released;
    const stored = new Set((await fullHistory(node, room)).map((m) => m.clientMsgId));
    const lost = stream.acked.filter((a) => !stored.has(a.clientMsgId)).length;
    expect(lost).toBe(0);
    recordOutcome({
      id: 'S-backup-reader',
      fault: 'another process holds a read transaction open (a backup) while messages are sent',
      expected:
        'sends acknowledged throughout; parley_sqlite_wal_bytes grows and parley_sqlite_checkpoints_busy_total counts; the WAL is truncated once the reader ends; messages lost: 0',
      measured: `WAL reached ${peakWal} bytes with ${busy} busy checkpoints; reset to 0 ${resetMs} ms after the reader ended`,
      numbers: {
        'peak WAL (bytes)': peakWal,
        'busy checkpoints': busy,
        'time to reset WAL (ms)': resetMs,
        'messages acked': stream.acked.length,
        'messages lost': lost,
      },
    });
  });
});
