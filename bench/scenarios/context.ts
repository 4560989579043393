/** What every scenario gets: the config, the load generator, the target under test, and a few helpers. */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchConfig } from '../config.js';
import type { Protocol } from '../loadgen/clients.js';
import type { Loadgen } from '../loadgen/control.js';
import { cpuSeconds } from '../sample.js';
import type { Target } from '../servers/index.js';
import { summarizeProfileFile, type ProfileSummary } from '../profile.js';
import { isParley, type ServerStats } from '../types.js';

/** A population left connected by one scenario for the next (S2's big room for S4 and S6). */
export interface SharedPopulation {
  pop: string;
  members: number;
}

export interface ScenarioContext {
  config: BenchConfig;
  loadgen: Loadgen;
  target: Target;
  /** How the load generator speaks to this target. */
  protocol: Protocol;
  /** Where CPU profiles go (`--profile`); null: no profiling. */
  profileDir: string | null;
  log(line: string): void;
}

export function roomNames(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}

/**
 * Waits until the server processes are (nearly) idle: below `percent` of a core over 300 ms, twice in a row;
 * at most `maxMs`. Returns how long it took. Parley keeps working after a population connects (presence
 * events), and a saturated step leaves a backlog behind it.
 */
export async function waitQuiet(pids: number[], maxMs = 20_000, percent = 10): Promise<number> {
  const started = Date.now();
  let quiet = 0;
  while (Date.now() - started < maxMs) {
    const before = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
    await sleep(150);
    const spent = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - before;
    if ((spent / 0.15) * 100 < percent) {
      if (++quiet >= 2) break;
    } else quiet = 0;
  }
  return Date.now() - started;
}

/** Stats of every node of the target, summed (memory) or maxed (event-loop delay). */
export async function targetStats(
  target: Target,
  opts: { gc?: boolean; resetEld?: boolean } = {},
): Promise<ServerStats> {
  const all = await Promise.all(target.nodes.map((n) => n.stats(opts)));
  return all.reduce((sum, s) => ({
    rss: sum.rss + s.rss,
    heapUsed: sum.heapUsed + s.heapUsed,
    heapTotal: sum.heapTotal + s.heapTotal,
    external: sum.external + s.external,
    arrayBuffers: sum.arrayBuffers + s.arrayBuffers,
    gcExposed: sum.gcExposed && s.gcExposed,
    eldP50Ms: Math.max(sum.eldP50Ms, s.eldP50Ms),
    eldP99Ms: Math.max(sum.eldP99Ms, s.eldP99Ms),
    eldMaxMs: Math.max(sum.eldMaxMs, s.eldMaxMs),
  }));
}

/**
 * With `--profile`, runs `fn` under a CPU profile of the (first) Parley server process, written to the
 * profile directory as <target>-<label>.cpuprofile and summarized; without it (or for the baselines), just
 * runs `fn`.
 */
export async function profiled<T>(
  ctx: ScenarioContext,
  label: string,
  fn: () => Promise<T>,
): Promise<{ result: T; profile: ProfileSummary | null }> {
  const node = ctx.target.nodes[0];
  if (!ctx.profileDir || !isParley(ctx.target.name) || !node) return { result: await fn(), profile: null };
  const file = join(ctx.profileDir, `${ctx.target.name}-${label}.cpuprofile`);
  await node.profileStart();
  let result: T;
  try {
    result = await fn();
  } finally {
    await node.profileStop(file);
  }
  ctx.log(`profile: ${file}`);
  return { result, profile: await summarizeProfileFile(file, 30) };
}
