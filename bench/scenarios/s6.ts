/**
 * S6 slow consumers: S2's shape (one big room) with big frames, and 5 % of the members stop reading a few
 * seconds in. The healthy members' p99 (in windows) and the server's memory should stay flat, and the slow
 * ones should be disconnected (Parley: close 4008 once their unsent data passes PARLEY_OUTBOUND_BUFFER_BYTES,
 * 1 MB by default). Frames are padded so that a slow member falls that far behind within a few seconds.
 */
import { measured, RssSeries } from '../sample.js';
import type { ScenarioContext, SharedPopulation } from './context.js';
import { profiled, targetStats, waitQuiet } from './context.js';
import type { S6Result } from './results.js';

export const S6_ROOM = 's6-0';

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** The longest time to a cut of the readers that were cut; null when none was. */
function cutMax(cuts: (number | null)[]): number | null {
  const timed = cuts.filter((c): c is number => c !== null);
  return timed.length > 0 ? Math.max(...timed) : null;
}

async function populateS6(ctx: ScenarioContext): Promise<void> {
  const cfg = ctx.config.s6;
  await ctx.loadgen.run('populate', {
    pop: 's6',
    protocol: ctx.protocol === 'sio-official' ? 'sio' : ctx.protocol,
    urls: ctx.target.urls,
    count: cfg.members,
    roomPrefix: 's6-',
    roomSize: cfg.members,
    namePrefix: 's6u',
    concurrency: 100,
  });
  await waitQuiet(ctx.target.pids, 120_000);
}

/** On S2's population when it has S6's size; the population is closed afterwards (its slow members are spent). */
export async function runS6(ctx: ScenarioContext, shared: SharedPopulation | null = null): Promise<S6Result> {
  const cfg = ctx.config.s6;
  const { target, loadgen } = ctx;
  const reuse = shared && shared.members === cfg.members ? shared : null;
  const pop = reuse?.pop ?? 's6';
  await waitQuiet(target.pids);
  if (!reuse) await populateS6(ctx);
  const slowBefore = (await target.slowConsumers()) ?? 0;
  const series = new RssSeries(target.pids, 250);
  series.start();
  // With --profile, under a CPU profile of Parley's server: where its time goes while readers stall.
  const { result: run } = await profiled(ctx, 'S6', () =>
    measured({ server: target.pids, loadgen: loadgen.pid }, (onMark) =>
      loadgen.run(
        'fanout',
        {
          pop,
          publisher: 0,
          rate: cfg.rate,
          warmupMs: cfg.warmupMs,
          measureMs: cfg.measureMs,
          drainMs: 2000,
          padChars: cfg.padChars,
          slow: { every: cfg.every, pauseAtMs: cfg.pauseAtMs, closeWaitMs: cfg.closeWaitMs },
          windowMs: cfg.windowMs,
        },
        onMark,
      ),
    ),
  );
  const { result, cpu } = run;
  const rssSeries = series.stop();
  const slowAfter = await target.slowConsumers();
  const heapAfter = (await targetStats(target)).heapUsed;
  await loadgen.run('close', { pop });
  const before = result.windows.filter((w) => w.t >= cfg.windowMs && w.t + cfg.windowMs <= cfg.pauseAtMs);
  const during = result.windows.filter((w) => w.t >= cfg.pauseAtMs && w.count > 0);
  const rssValues = rssSeries.map((s) => s.rss);
  const out: S6Result = {
    members: result.members,
    slowMembers: result.slow?.paused ?? 0,
    rate: cfg.rate,
    padChars: cfg.padChars,
    step: { ...result, cpu },
    healthyP99BeforeMs: median(before.map((w) => w.p99)),
    healthyP99DuringMs: Math.max(0, ...during.map((w) => w.p99)),
    windows: result.windows,
    rssStart: rssValues[0] ?? 0,
    rssPeak: Math.max(0, ...rssValues),
    rssEnd: rssValues[rssValues.length - 1] ?? 0,
    heapAfter,
    slowDisconnectedByServer: slowAfter === null ? null : slowAfter - slowBefore,
    slowCutMs: result.slow?.cutMs ?? [],
    slowCutMaxMs: cutMax(result.slow?.cutMs ?? []),
    rssSeries,
  };
  ctx.log(
    `S6 healthy p99 ${out.healthyP99BeforeMs} → ${out.healthyP99DuringMs} ms; RSS ${Math.round(out.rssStart / 1e6)} → ` +
      `peak ${Math.round(out.rssPeak / 1e6)} MB; slow closed ${result.slow?.closed ?? 0}/${out.slowMembers}` +
      (out.slowDisconnectedByServer === null ? '' : ` (server: ${out.slowDisconnectedByServer})`) +
      `; cut after ${JSON.stringify(out.slowCutMs)} ms (${result.slow?.cutFrom ?? '–'})`,
  );
  return out;
}
