/**
 * S1 idle capacity: N authenticated connections in rooms of 10. Memory per connection (server RSS, and heap
 * after a full GC), connect+auth+join rate and handshake latency, with a bounded number of connections being
 * set up at once.
 */
import { join } from 'node:path';
import { diffHeap, summarizeHeapFile } from '../heap.js';
import { CpuWindow, cpuUse, rssBytes } from '../sample.js';
import { isParley } from '../types.js';
import type { ScenarioContext } from './context.js';
import { profiled, targetStats, waitQuiet } from './context.js';
import type { S1Result } from './results.js';
import type { PopulateResult } from '../loadgen/protocol.js';

export const S1_ROOM_PREFIX = 's1r';

export function s1Rooms(ctx: Pick<ScenarioContext, 'config'>): number {
  return Math.ceil(ctx.config.s1.connections / ctx.config.s1.roomSize);
}

/**
 * With `keep`, the population stays connected for S5 (the storm drops "all clients of S1"); it is then made
 * of Parley's typed clients on the Parley targets (`typed`), so that their resume can be measured.
 */
export async function runS1(
  ctx: ScenarioContext,
  opts: { typed: boolean; keep: boolean } = { typed: false, keep: false },
): Promise<{ result: S1Result; populate: PopulateResult }> {
  const cfg = ctx.config.s1;
  const { target, loadgen } = ctx;
  await waitQuiet(target.pids);
  // Snapshots of a bigger heap take gigabytes to read back: only for runs of up to 5,000 connections.
  const snapshots =
    ctx.profileDir && isParley(target.name) && cfg.connections <= 5000
      ? heapFiles(ctx.profileDir, target.name)
      : null;
  if (snapshots) await target.nodes[0]?.heapSnapshot(snapshots.before);
  const before = await targetStats(target, { gc: true });
  const loadgenBefore = rssBytes(loadgen.pid);
  const window = new CpuWindow([...target.pids, loadgen.pid]);
  let cpu = cpuUse(new Map(), target.pids, loadgen.pid);
  let settleMs = 0;
  const { result: pop, profile } = await profiled(ctx, 'S1-connect', async () => {
    window.start();
    const populated = await loadgen.run('populate', {
      pop: 's1',
      protocol: ctx.protocol,
      urls: target.urls,
      count: cfg.connections,
      roomPrefix: S1_ROOM_PREFIX,
      roomSize: cfg.roomSize,
      namePrefix: 's1u',
      concurrency: cfg.concurrency,
      timeoutMs: cfg.timeoutMs,
      typed: opts.typed,
    });
    const use = window.stop();
    cpu = cpuUse(use, target.pids, loadgen.pid, window.cores);
    return populated;
  });
  ctx.log(`S1 ${pop.connected} connected at ${pop.ratePerSec}/s; waiting for the server to settle`);
  settleMs = await waitQuiet(target.pids, 300_000);
  const after = await targetStats(target, { gc: true });
  let heap: S1Result['heap'] = null;
  if (snapshots) {
    await target.nodes[0]?.heapSnapshot(snapshots.after);
    heap = diffHeap(
      await summarizeHeapFile(snapshots.before),
      await summarizeHeapFile(snapshots.after),
      pop.connected,
    );
    ctx.log(`S1 heap per connection: ${heap.totalBytes} bytes (${snapshots.after})`);
  }
  const loadgenAfter = rssBytes(loadgen.pid);
  if (!opts.keep) await loadgen.run('close', { pop: 's1' });
  const n = Math.max(1, pop.connected);
  const result: S1Result = {
    connections: pop.connected,
    failed: pop.failed,
    errors: pop.errors,
    rssPerConn: Math.round((after.rss - before.rss) / n),
    heapPerConn: Math.round((after.heapUsed - before.heapUsed) / n),
    loadgenRssPerConn: Math.round((loadgenAfter - loadgenBefore) / n),
    connectRatePerSec: pop.ratePerSec,
    handshake: pop.handshake,
    ready: pop.ready,
    eventsWhileConnecting: pop.otherEvents,
    settleMs,
    cpu,
    serverBefore: { rss: before.rss, heapUsed: before.heapUsed },
    serverAfter: { rss: after.rss, heapUsed: after.heapUsed },
    profile,
    heap,
    client: opts.typed ? 'typed' : 'raw',
  };
  return { result, populate: pop };
}

function heapFiles(dir: string, target: string): { before: string; after: string } {
  return {
    before: join(dir, `${target}-S1-before.heapsnapshot`),
    after: join(dir, `${target}-S1-after.heapsnapshot`),
  };
}
