/**
 * S3 chat shape: U users in rooms of 10, each sending open-loop at a fixed share of the total rate; on Parley
 * every message is committed (SQLite) before its acknowledgement. Send→ack and send→deliver p99 and the
 * messages committed per second, at stepped total rates.
 */
import { S3_ACK_P99_MS, S3_TARGET_RATE } from '../config.js';
import { measured } from '../sample.js';
import { disturbed } from '../types.js';
import type { ScenarioContext } from './context.js';
import { profiled, targetStats, waitQuiet } from './context.js';
import type { ExtrasArgs } from '../loadgen/extras.js';
import type { PopulateResult } from '../loadgen/protocol.js';
import type { S3Result, S3Step } from './results.js';

export const S3_ROOM_PREFIX = 's3r';

export function s3Rooms(ctx: Pick<ScenarioContext, 'config'>): number {
  return Math.ceil(ctx.config.s3.users / ctx.config.s3.roomSize);
}

/** S3's population: `cfg.users` clients in S3's rooms (S3R reuses it under its own name). */
export async function populateS3(ctx: ScenarioContext, pop: string): Promise<PopulateResult> {
  const { target, loadgen } = ctx;
  await waitQuiet(target.pids);
  const populate = await loadgen.run('populate', {
    pop,
    protocol: ctx.protocol,
    urls: target.urls,
    count: ctx.config.s3.users,
    roomPrefix: S3_ROOM_PREFIX,
    roomSize: ctx.config.s3.roomSize,
    namePrefix: `${pop}u`,
    concurrency: 100,
  });
  await waitQuiet(target.pids, 120_000);
  return populate;
}

/** One measured step of the chat shape at `rate` (S3R: with reads and reactions). */
export async function chatStep(
  ctx: ScenarioContext,
  pop: string,
  rate: number,
  extras?: ExtrasArgs,
  /** A1: its own step timings; S3's otherwise. */
  timings?: { warmupMs: number; measureMs: number; drainMs: number },
): Promise<S3Step> {
  const cfg = timings ?? ctx.config.s3;
  const { target, loadgen } = ctx;
  await targetStats(target, { resetEld: true });
  const eldFrom = Date.now();
  const args = { pop, rate, warmupMs: cfg.warmupMs, measureMs: cfg.measureMs, drainMs: cfg.drainMs };
  const { result, cpu } = await measured({ server: target.pids, loadgen: loadgen.pid }, (onMark) =>
    loadgen.run('chat', extras ? { ...args, extras } : args, onMark),
  );
  const eld = await targetStats(target);
  const serverEldWindowMs = Date.now() - eldFrom;
  return { ...result, cpu, serverEldP99Ms: eld.eldP99Ms, serverEldMaxMs: eld.eldMaxMs, serverEldWindowMs };
}

export async function runS3(ctx: ScenarioContext): Promise<S3Result> {
  const cfg = ctx.config.s3;
  const { target, loadgen } = ctx;
  const populate = await populateS3(ctx, 's3');
  const steps: S3Step[] = [];
  const runStep = (rate: number) => chatStep(ctx, 's3', rate);
  for (const rate of cfg.rates) {
    let step = await runStep(rate);
    for (
      let retry = 0;
      retry < ctx.config.retries && disturbed(step.cpu) && step.ack.p99 > S3_ACK_P99_MS;
      retry++
    ) {
      ctx.log(`S3 ${rate} msg/s: disturbed (other ${step.cpu.other}%, steal ${step.cpu.steal}%), again`);
      await waitQuiet(target.pids);
      step = await runStep(rate);
    }
    steps.push(step);
    ctx.log(
      `S3 ${rate} msg/s: committed ${step.committedPerSec}/s, ack p99 ${step.ack.p99} ms, ` +
        `deliver p99 ${step.deliver.p99} ms, cpu server ${step.cpu.server}% loadgen ${step.cpu.loadgen}%`,
    );
    if (step.ack.p99 > 1000 || step.committedPerSec < 0.7 * rate) break;
    await waitQuiet(target.pids);
  }
  // `--profile`: the server at the target rate, where the send→ack bound is checked.
  let profile: S3Result['profile'] = null;
  if (ctx.profileDir && cfg.rates.includes(S3_TARGET_RATE)) {
    await waitQuiet(target.pids);
    const run = await profiled(ctx, `S3-${S3_TARGET_RATE}`, () => runStep(S3_TARGET_RATE));
    profile = run.profile;
    ctx.log(`S3 profiled step: ack p99 ${run.result.ack.p99} ms, server ${run.result.cpu.server}%`);
  }
  await loadgen.run('close', { pop: 's3' });
  const within = steps.filter(
    (s) => s.ack.p99 <= S3_ACK_P99_MS && Object.keys(s.errors).length === 0 && s.missing === 0,
  );
  return {
    users: populate.connected,
    roomSize: cfg.roomSize,
    populate,
    steps,
    maxRateWithinAckBound: within.length > 0 ? Math.max(...within.map((s) => s.rate)) : null,
    profile,
  };
}
