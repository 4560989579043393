import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordOutcome } from './report.js';
import { Ledger } from './soak/ledger.js';
import { runSoak } from './soak/run.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('issue 10 soak: the exactly-once book', () => {
  it('counts an owed message that never came as missing, and one that came twice as a duplicate', () => {
    const ledger = new Ledger();
    ledger.joined('ann', 'lobby', 100);
    ledger.joined('bob', 'lobby', 100);
    ledger.joined('cid', 'lobby', 300);
    ledger.ack({ room: 'lobby', sender: 'cid', id: 1, seq: 1, sentAt: 200, ackedAt: 210 });
    ledger.left('bob', 'lobby', 205);
    ledger.delivered('ann', { id: 1, room: 'lobby', seq: 1 });
    ledger.delivered('ann', { id: 1, room: 'lobby', seq: 1 });
    const verdict = ledger.verdict(1000);
    // Owed to ann only: bob left before the ack, cid joined after the send.
    expect(verdict).toMatchObject({ acked: 1, owed: 1, missing: 0, duplicates: 1 });
  });

  it('counts a message owed to a member who never got it', () => {
    const ledger = new Ledger();
    ledger.joined('ann', 'lobby', 100);
    ledger.ack({ room: 'lobby', sender: 'cid', id: 7, seq: 3, sentAt: 200, ackedAt: 210 });
    expect(ledger.verdict(1000)).toMatchObject({ owed: 1, delivered: 0, missing: 1, missingInGaps: 0 });
  });

  it('owes a client that went on purpose what had reached it, and still counts a hole below that', () => {
    const ledger = new Ledger();
    ledger.joined('ann', 'lobby', 100);
    for (const seq of [1, 2, 3, 4]) {
      ledger.ack({ room: 'lobby', sender: 'cid', id: 10 + seq, seq, sentAt: 100 + seq, ackedAt: 110 + seq });
    }
    // seq 2 never came (a loss); seq 4 was acknowledged on another node but still on its way when ann closed.
    ledger.delivered('ann', { id: 11, room: 'lobby', seq: 1 });
    ledger.delivered('ann', { id: 13, room: 'lobby', seq: 3 });
    ledger.left('ann', 'lobby', 200);
    expect(ledger.verdict(1000)).toMatchObject({ owed: 3, delivered: 2, missing: 1 });
  });

  it('tells a missing message the server reported as a gap from a silent loss', () => {
    const ledger = new Ledger();
    ledger.joined('ann', 'lobby', 100);
    ledger.ack({ room: 'lobby', sender: 'cid', id: 7, seq: 3, sentAt: 200, ackedAt: 210 });
    ledger.ack({ room: 'lobby', sender: 'cid', id: 9, seq: 5, sentAt: 300, ackedAt: 310 });
    ledger.gap('ann', 'lobby', 2, 4);
    expect(ledger.verdict(1000)).toMatchObject({ owed: 2, missing: 2, missingInGaps: 1, gaps: 1 });
  });
});

describe('issue 10 soak: a short soak on one node', () => {
  it('delivers every acknowledged message to every live member exactly once, while sampling the server', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-soak-test-'));
    dirs.push(dir);
    const samplesFile = join(dir, 'samples.jsonl');
    const progress: string[] = [];
    const result = await runSoak({
      durationMs: 35_000,
      nodes: 1,
      clients: 40,
      slowReaders: 2,
      rooms: 4,
      ratePerSec: 15,
      sampleMs: 5_000,
      warmupMs: 0,
      samplesFile,
      log: (line) => progress.push(line),
    });
    const d = result.delivery;
    recordOutcome({
      id: 'soak-short',
      fault:
        '35 s of mixed load (joins, leaves, sends, history, typing, dropped connections, slow readers) on one node',
      expected: 'every acknowledged message delivered to every live member exactly once; the server sampled',
      measured: `${d.missing} missing, ${d.duplicates} duplicates, ${d.gaps} gaps of ${d.owed} owed deliveries`,
      numbers: { acked: d.acked, owed: d.owed, delivered: d.delivered, samples: result.samples.length },
    });
    expect(result.crashes).toEqual([]);
    expect(d.examples, progress.join('\n')).toEqual([]);
    expect({ missing: d.missing, duplicates: d.duplicates, gaps: d.gaps }).toEqual({
      missing: 0,
      duplicates: 0,
      gaps: 0,
    });
    // The load really ran: messages were acknowledged and owed, connections dropped and resumed.
    expect(d.acked).toBeGreaterThan(0);
    expect(d.owed).toBeGreaterThan(d.acked);
    expect(result.counters.counts.resumes ?? 0).toBeGreaterThan(0);
    // Sampling worked: every sample has the /proc numbers and the server's own heap and loop delay.
    const lines = (await readFile(samplesFile, 'utf8')).trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const sample of result.samples) {
      expect(sample.rssBytes).toBeGreaterThan(0);
      expect(sample.fds).toBeGreaterThan(0);
      expect(sample.heapUsedBytes).toBeGreaterThan(0);
      expect(sample.loopDelayP99Ms).not.toBeNull();
    }
    expect(result.nodes[0]).not.toBeNull();
  }, 240_000);
});
