/**
 * S3R: S3's chat shape where every user also acts as a chat client does on what it receives: a read marker
 * (`read`, the latest seq) for every 5 messages and a reaction for every 20. Each rate runs as a pair, a plain
 * S3 step and an S3R step back to back on one population (their order alternating over repeats, so that a
 * drift of the machine does not always favour one), and the report puts them side by side with the ratio of
 * messages committed per second: the read-marker and reaction load may cost at most 20 % of S3's throughput.
 */
import { S3R_MIN_RATIO, S3_TARGET_RATE } from '../config.js';
import type { ExtrasArgs } from '../loadgen/extras.js';
import type { TargetName } from '../types.js';
import { profiled, waitQuiet, type ScenarioContext } from './context.js';
import type { S3RPair, S3RResult, S3Step, TargetResults } from './results.js';
import { chatStep, populateS3 } from './s3.js';

const POP = 's3r';

function ratio(extra: S3Step, plain: S3Step): number | null {
  return plain.committedPerSec > 0
    ? Math.round((extra.committedPerSec / plain.committedPerSec) * 1000) / 1000
    : null;
}

export async function runS3R(ctx: ScenarioContext): Promise<S3RResult> {
  const cfg = ctx.config.s3;
  const extras: ExtrasArgs = { readEvery: ctx.config.s3r.readEvery, reactEvery: ctx.config.s3r.reactEvery };
  const populate = await populateS3(ctx, POP);
  const pairs: S3RPair[] = [];
  const step = async (rate: number, withExtras: boolean) => {
    const result = await chatStep(ctx, POP, rate, withExtras ? extras : undefined);
    await waitQuiet(ctx.target.pids);
    return result;
  };
  for (let repeat = 0; repeat < ctx.config.s3r.repeats; repeat++) {
    for (const rate of cfg.rates) {
      let plain: S3Step;
      let extra: S3Step;
      if (repeat % 2 === 0) {
        plain = await step(rate, false);
        extra = await step(rate, true);
      } else {
        extra = await step(rate, true);
        plain = await step(rate, false);
      }
      const pair = { rate, plain, extra, throughputRatio: ratio(extra, plain) };
      pairs.push(pair);
      const x = extra.extras;
      ctx.log(
        `S3R ${rate} msg/s: S3 ${plain.committedPerSec}/s p99 ${plain.ack.p99} ms (server ${plain.cpu.server}%, ${cpuPerMessage(plain)} µs/msg), ` +
          `S3R ${extra.committedPerSec}/s p99 ${extra.ack.p99} ms (server ${extra.cpu.server}%, ${cpuPerMessage(extra)} µs/msg, ` +
          `reads ${x?.readsPerSec ?? 0}/s, reactions ${x?.reactionsPerSec ?? 0}/s, errors ${JSON.stringify(x?.errors ?? {})}), ` +
          `ratio ${pair.throughputRatio}`,
      );
    }
  }
  let profile: S3RResult['profile'] = null;
  if (ctx.profileDir && cfg.rates.includes(S3_TARGET_RATE)) {
    const run = await profiled(ctx, `S3R-${S3_TARGET_RATE}`, () => step(S3_TARGET_RATE, true));
    profile = run.profile;
    ctx.log(`S3R profiled step: ack p99 ${run.result.ack.p99} ms, server ${run.result.cpu.server}%`);
  }
  await ctx.loadgen.run('close', { pop: POP });
  return {
    users: populate.connected,
    roomSize: cfg.roomSize,
    readEvery: extras.readEvery,
    reactEvery: extras.reactEvery,
    populate,
    pairs,
    profile,
  };
}

const median = (values: number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? null;
};

/** Per rate: the median ratio over the repeats (the lower middle one). */
export function s3rRatios(result: S3RResult): { rate: number; ratio: number | null }[] {
  const rates = [...new Set(result.pairs.map((p) => p.rate))];
  return rates.map((rate) => ({
    rate,
    ratio: median(
      result.pairs.flatMap((p) => (p.rate === rate && p.throughputRatio !== null ? [p.throughputRatio] : [])),
    ),
  }));
}

/** Server CPU time per committed message (µs): what the extras cost, whatever share of a core the server got. */
export function cpuPerMessage(step: S3Step): number | null {
  return step.committedPerSec > 0 ? Math.round((step.cpu.server * 10_000) / step.committedPerSec) : null;
}
const otherLoad = (s: S3Step) => Math.round((s.cpu.other ?? 0) + (s.cpu.steal ?? 0));
const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** The S3R table for the report: every pair of every target. */
export function s3rTable(
  results: Partial<Record<TargetName, TargetResults>>,
  targets: readonly TargetName[],
): { header: string[]; rows: string[][] } | null {
  const rows = targets.flatMap((t) =>
    (results[t]?.S3R?.pairs ?? []).map((p) => {
      const x = p.extra.extras;
      return [
        t,
        String(p.rate),
        `${p.plain.committedPerSec} / ${fmt(p.plain.ack.p99)} ms`,
        `${p.extra.committedPerSec} / ${fmt(p.extra.ack.p99)} ms`,
        p.throughputRatio === null ? '–' : `${p.throughputRatio}×`,
        x ? `${x.readsPerSec} / ${x.reactionsPerSec}` : '–',
        x ? `${fmt(x.readAck.p99)} / ${fmt(x.reactAck.p99)} ms` : '–',
        `${p.plain.cpu.server}% / ${p.extra.cpu.server}%`,
        `${cpuPerMessage(p.plain) ?? '–'} / ${cpuPerMessage(p.extra) ?? '–'} µs`,
        `${otherLoad(p.plain)}% / ${otherLoad(p.extra)}%`,
        x && Object.keys(x.errors).length > 0 ? JSON.stringify(x.errors) : '0',
      ];
    }),
  );
  if (rows.length === 0) return null;
  return {
    header: [
      'Target',
      'Offered msg/s',
      'S3 committed/s / ack p99',
      'S3R committed/s / ack p99',
      'Ratio',
      'Reads/s / reactions/s',
      'Read / react ack p99',
      'Server CPU S3 / S3R',
      'Server CPU per message S3 / S3R',
      'Other load S3 / S3R',
      'Errors',
    ],
    rows,
  };
}

/** The bound, per Parley target: the worst rate's (median) ratio at least S3R_MIN_RATIO. */
export function s3rGoals(results: Partial<Record<TargetName, TargetResults>>, quick: string) {
  return (['parley-ws', 'parley-sio'] as const).flatMap((t) => {
    const s3r = results[t]?.S3R;
    if (!s3r) return [];
    const ratios = s3rRatios(s3r).filter((r): r is { rate: number; ratio: number } => r.ratio !== null);
    if (ratios.length === 0) return [];
    const worst = ratios.reduce((a, b) => (b.ratio < a.ratio ? b : a));
    return [
      {
        id: `S3R-${t}`,
        description: `S3R: reads every ${s3r.readEvery} and reactions every ${s3r.reactEvery} messages cost at most ${Math.round((1 - S3R_MIN_RATIO) * 100)} % of S3's throughput (${t}, ${s3r.users} users)${quick}`,
        value: ratios.map((r) => `${r.ratio}× at ${r.rate}/s`).join(', '),
        goal: `≥ ${S3R_MIN_RATIO}×`,
        met: worst.ratio >= S3R_MIN_RATIO,
        margin: `${worst.ratio >= S3R_MIN_RATIO ? '+' : ''}${Math.round((worst.ratio - S3R_MIN_RATIO) * 1000) / 1000}× at ${worst.rate}/s`,
      },
    ];
  });
}
