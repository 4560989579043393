/**
 * S2 big-room fan-out: one room of M members, one of them publishing open-loop at stepped rates. For each
 * step: deliveries/s achieved against offered, latency percentiles, loss, duplicates, both processes' CPU.
 * The knee is the highest offered rate with p99 under 50 ms (no loss, at least 95 % delivered in time).
 */
import { join } from 'node:path';
import { KNEE_P99_MS } from '../config.js';
import { httpOrigin } from '../loadgen/restPublisher.js';
import { BENCH_ADMIN_KEY } from '../servers/index.js';
import { summarizeProfileFile } from '../profile.js';
import { measured } from '../sample.js';
import { dialectOf, disturbed, isParley } from '../types.js';
import type { ScenarioContext } from './context.js';
import { targetStats, waitQuiet } from './context.js';
import type { S2Result, S2Size, S2Step } from './results.js';

export const s2Room = (members: number) => `s2m${members}-0`;

export function stepPasses(step: Omit<S2Step, 'pass'>): boolean {
  return (
    step.latency.count > 0 &&
    Object.keys(step.disconnected).length === 0 &&
    step.latency.p99 < KNEE_P99_MS &&
    step.missing === 0 &&
    Object.keys(step.sendErrors).length === 0 &&
    step.achievedDeliveriesPerSec >= 0.95 * step.offeredDeliveriesPerSec
  );
}

async function runStep(ctx: ScenarioContext, pop: string, members: number, offered: number): Promise<S2Step> {
  const cfg = ctx.config.s2;
  const { target, loadgen } = ctx;
  await targetStats(target, { resetEld: true });
  const { result, cpu } = await measured({ server: target.pids, loadgen: loadgen.pid }, (onMark) =>
    loadgen.run(
      'fanout',
      {
        pop,
        publisher: 0,
        rate: offered / members,
        warmupMs: cfg.warmupMs,
        measureMs: cfg.measureMs,
        drainMs: cfg.drainMs,
        padChars: 0,
        ...(cfg.restPublisher === 1
          ? {
              rest: {
                baseUrl: httpOrigin(target.urls[0] ?? ''),
                adminKey: BENCH_ADMIN_KEY,
                username: 'rest-publisher',
              },
            }
          : {}),
      },
      onMark,
    ),
  );
  const serverEldP99Ms = (await targetStats(target)).eldP99Ms;
  const perDelivery = (percent: number) =>
    result.achievedDeliveriesPerSec > 0
      ? Math.round(((percent / 100) * 1e6 * 100) / result.achievedDeliveriesPerSec) / 100
      : 0;
  const step = {
    ...result,
    cpu,
    serverEldP99Ms,
    serverUsPerDelivery: perDelivery(cpu.server),
    loadgenUsPerDelivery: perDelivery(cpu.loadgen),
  };
  return { ...step, pass: stepPasses(step) };
}

/** `keep`: leave the populations of these sizes connected (for S4's one-node run and S6). */
export async function runS2(ctx: ScenarioContext, keep: ReadonlySet<number> = new Set()): Promise<S2Result> {
  const cfg = ctx.config.s2;
  const { target, loadgen } = ctx;
  const sizes: S2Size[] = [];
  for (const members of cfg.sizes) {
    const pop = `s2-${members}`;
    await waitQuiet(target.pids);
    const populate = await loadgen.run('populate', {
      pop,
      protocol: ctx.protocol,
      urls: target.urls,
      count: members,
      roomPrefix: `s2m${members}-`,
      roomSize: members,
      namePrefix: `s2m${members}u`,
      concurrency: cfg.concurrency,
      // The dialect clients get their users' access tokens as a site's backend would.
      ...(dialectOf(target.name) ? { adminKey: BENCH_ADMIN_KEY } : {}),
    });
    await waitQuiet(target.pids, 120_000);
    const steps: S2Step[] = [];
    let failsInARow = 0;
    for (const offered of cfg.steps) {
      let step = await runStep(ctx, pop, members, offered);
      // Another process took the cores meanwhile: try again (twice at most) rather than report its noise.
      for (let retry = 0; retry < ctx.config.retries && disturbed(step.cpu) && !step.pass; retry++) {
        ctx.log(
          `S2 ${members} members, ${offered}/s: disturbed (other ${step.cpu.other}%, steal ${step.cpu.steal}%), again`,
        );
        await waitQuiet(target.pids);
        step = await runStep(ctx, pop, members, offered);
      }
      steps.push(step);
      const lost = Object.values(step.disconnected).reduce((a, b) => a + b, 0);
      ctx.log(
        `S2 ${members} members, ${offered}/s offered: ${step.achievedDeliveriesPerSec}/s, p99 ${step.latency.p99} ms, ` +
          (lost > 0 ? `${lost} members disconnected ${JSON.stringify(step.disconnected)}, ` : '') +
          `missing ${step.missing}, cpu server ${step.cpu.server}% loadgen ${step.cpu.loadgen}%${step.pass ? '' : ' (over)'}`,
      );
      failsInARow = step.pass ? 0 : failsInARow + 1;
      if (failsInARow >= 2 || step.latency.p99 > 2000 || step.achievedDeliveriesPerSec < 0.7 * offered) break;
      await waitQuiet(target.pids);
    }
    const passing = steps.filter((s) => s.pass);
    const knee = passing.length > 0 ? Math.max(...passing.map((s) => s.offeredDeliveriesPerSec)) : null;
    const over = steps.find((s) => !s.pass && s.offeredDeliveriesPerSec > (knee ?? 0));
    let profile = null;
    if (ctx.profileDir && isParley(target.name) && members === 1000) {
      // Profile the server at the first rate over the knee (or the last one tried): what limits it.
      const rate = over?.offeredDeliveriesPerSec ?? steps[steps.length - 1]?.offeredDeliveriesPerSec ?? 0;
      const file = join(ctx.profileDir, `${target.name}-S2-${members}-${rate}.cpuprofile`);
      await waitQuiet(target.pids);
      const node = target.nodes[0];
      if (node && rate > 0) {
        await node.profileStart();
        const step = await runStep(ctx, pop, members, rate);
        await node.profileStop(file);
        ctx.log(
          `S2 profiled step at ${rate}/s: p99 ${step.latency.p99} ms, server ${step.cpu.server}%; ${file}`,
        );
        profile = await summarizeProfileFile(file, 30);
      }
    }
    const last = steps[steps.length - 1];
    sizes.push({
      members,
      populate,
      intact: last !== undefined && Object.keys(last.disconnected).length === 0,
      steps,
      knee,
      limitedBy: over ? over.cpu.saturated : 'not reached',
      profile,
    });
    if (!keep.has(members)) await loadgen.run('close', { pop });
  }
  return { sizes };
}
