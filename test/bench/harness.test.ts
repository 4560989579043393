/**
 * The benchmark harness itself (bench/), not Parley's performance: loss and duplicate detection, the payload
 * found in raw frames, and tiny runs end to end (S2, 20 members, one rate, parley-ws and baseline-ws; S3R, 20
 * users, on parley-ws) that write a report with the expected fields. Nothing here asserts a latency or a rate: it must pass on a
 * loaded machine.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configFor } from '../../bench/config.js';
import { extractMessageRef } from '../../bench/loadgen/extras.js';
import { encodePayload, extractPayload, parsePayloadText } from '../../bench/loadgen/payload.js';
import { SeqStream, SeqTracker } from '../../bench/loadgen/seq.js';
import type { BenchReport } from '../../bench/report.js';
import { applySettings, runBench } from '../../bench/run.js';

describe('seq tracking', () => {
  it('counts a duplicate and a gap', () => {
    const stream = new SeqStream(1);
    for (const seq of [1, 2, 2, 3, 5, 6]) stream.receive(seq);
    expect(stream.counts.duplicates).toBe(1);
    expect(stream.counts.unique).toBe(5);
    expect(stream.lostUpTo(6)).toBe(1); // 4 never came
    expect(stream.lostUpTo(8)).toBe(3); // nor 7 and 8 (a missing tail)
  });

  it('takes a late seq as filling its hole, and a repeat of it as a duplicate', () => {
    const stream = new SeqStream(10);
    for (const seq of [10, 12, 11, 11]) stream.receive(seq);
    expect(stream.counts.reordered).toBe(1);
    expect(stream.counts.duplicates).toBe(1);
    expect(stream.lostUpTo(12)).toBe(0);
  });

  it('counts seqs below the floor as stale, not as duplicates', () => {
    const stream = new SeqStream(1);
    stream.receive(1);
    stream.reset(5);
    expect(stream.receive(3)).toBe(false);
    expect(stream.counts).toMatchObject({ stale: 1, duplicates: 0, unique: 0 });
    expect(stream.lostBetween(5, 6)).toBe(2);
  });

  it('keeps one stream per publisher', () => {
    const tracker = new SeqTracker();
    tracker.receive(1, 1);
    tracker.receive(2, 1);
    tracker.receive(1, 1);
    expect(tracker.totals()).toMatchObject({ unique: 2, duplicates: 1 });
  });
});

describe('payload', () => {
  const text = encodePayload(7, 42, 1234.5678);

  it('round-trips through the text', () => {
    expect(parsePayloadText(text)).toEqual({ p: 7, seq: 42, t0: 1234.568 });
  });

  it('is read from a native frame and a socket.io packet, not from the rendered html', () => {
    const html = `<p>${text.replace(/"/g, '&quot;')}</p>`;
    const data = { room: { id: 1, name: 'r' }, message: { html, seq: 3, text } };
    const ws = Buffer.from(JSON.stringify({ event: 'message', data }));
    const sio = Buffer.from(`42${JSON.stringify(['message', data])}`);
    for (const frame of [ws, sio]) {
      const payload = extractPayload(frame);
      expect(payload?.p).toBe(7);
      expect(payload?.seq).toBe(42);
      expect(payload?.t0).toBeCloseTo(1234.568, 3);
    }
    expect(extractPayload(Buffer.from(JSON.stringify({ event: 'message', data: { html } })))).toBeNull();
  });

  it('gives S3R the message id and room seq, not the room id, the author id or the payload seq', () => {
    const message = { id: 99, room: 'r', roomId: 1, seq: 3, author: { id: 5, username: 'u' }, text };
    const data = { room: { id: 1, name: 'r' }, message };
    const ws = Buffer.from(JSON.stringify({ event: 'message', data }));
    const sio = Buffer.from(`42${JSON.stringify(['message', data])}`);
    for (const frame of [ws, sio]) expect(extractMessageRef(frame, 0)).toEqual({ id: 99, seq: 3 });
  });
});

describe('settings', () => {
  it('overrides numbers and lists, and refuses unknown ones', () => {
    const config = applySettings(configFor('quick'), ['s2.sizes=20,40', 's1.connections=7']);
    expect(config.s2.sizes).toEqual([20, 40]);
    expect(config.s1.connections).toBe(7);
    expect(applySettings(configFor('quick'), ['s3r.repeats=3']).s3r.repeats).toBe(3);
    expect(() => applySettings(configFor('quick'), ['s2.nope=1'])).toThrow(/no such setting/);
  });
});

describe('a tiny run', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('runs S2 against parley-ws and baseline-ws and writes the report', { timeout: 120_000 }, async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'parley-bench-test-'));
    dirs.push(outDir);
    const config = applySettings(configFor('quick'), [
      's2.sizes=20',
      's2.steps=1000',
      's2.warmupMs=300',
      's2.measureMs=700',
      's2.drainMs=10000',
      's2.concurrency=20',
    ]);
    const { files } = await runBench({
      mode: 'quick',
      scenarios: ['S2'],
      targets: ['parley-ws', 'baseline-ws'],
      outDir,
      profile: false,
      sioClient: 'raw',
      pin: false,
      waitQuiet: false,
      build: false, // from source: the test checks the harness, not Parley's speed
      config,
      log: () => {},
    });
    expect(files.map((f) => f.slice(outDir.length + 1))).toContain('latest.json');

    const report = JSON.parse(await readFile(join(outDir, 'latest.json'), 'utf8')) as BenchReport;
    expect(report.run.machine.cores).toBeGreaterThan(0);
    expect(report.run.scenarios).toEqual(['S2']);
    for (const target of ['parley-ws', 'baseline-ws'] as const) {
      const results = report.results[target];
      expect(results?.errors).toEqual([]);
      const size = results?.S2?.sizes[0];
      expect(size?.members).toBe(20);
      const step = size?.steps[0];
      expect(step?.offeredDeliveriesPerSec).toBe(1000);
      expect(step?.latency.count).toBeGreaterThan(0);
      expect(step?.latency.p99).toBeGreaterThan(0);
      expect(step?.missing).toBe(0);
      expect(step?.duplicates).toBe(0);
      expect(step?.sendErrors).toEqual({});
      expect(typeof step?.cpu.server).toBe('number');
      expect(typeof step?.cpu.loadgen).toBe('number');
    }
    const ratio = report.ratios.find((r) => r.scenario === 'S2');
    expect(ratio?.values).toHaveProperty('ws/c');
    const md = await readFile(join(outDir, 'latest.md'), 'utf8');
    expect(md).toContain('## Ratios');
    expect(md).toContain('parley-ws');
  });

  it(
    'runs S3R next to S3 on parley-ws: reads and reactions answered, both in the report',
    { timeout: 120_000 },
    async () => {
      const outDir = await mkdtemp(join(tmpdir(), 'parley-bench-test-'));
      dirs.push(outDir);
      const config = applySettings(configFor('quick'), [
        's3.users=20',
        's3.rates=40',
        's3.warmupMs=300',
        's3.measureMs=1500',
        's3.drainMs=10000',
      ]);
      await runBench({
        mode: 'quick',
        scenarios: ['S3R'],
        targets: ['parley-ws'],
        outDir,
        profile: false,
        sioClient: 'raw',
        pin: false,
        waitQuiet: false,
        build: false,
        config,
        log: () => {},
      });
      const report = JSON.parse(await readFile(join(outDir, 'latest.json'), 'utf8')) as BenchReport;
      const results = report.results['parley-ws'];
      expect(results?.errors).toEqual([]);
      const pair = results?.S3R?.pairs[0];
      expect(pair?.rate).toBe(40);
      expect(pair?.plain.extras).toBeUndefined();
      expect(pair?.plain.acked).toBeGreaterThan(0);
      expect(pair?.extra.missing).toBe(0);
      expect(pair?.extra.errors).toEqual({});
      expect(pair?.extra.extras?.errors).toEqual({});
      expect(pair?.extra.extras?.reads).toBeGreaterThan(0);
      expect(pair?.extra.extras?.reactions).toBeGreaterThan(0);
      expect(report.goals.some((g) => g.id === 'S3R-parley-ws')).toBe(true);
      expect(await readFile(join(outDir, 'latest.md'), 'utf8')).toContain('### S3R');
    },
  );
});
