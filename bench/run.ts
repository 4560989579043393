/**
 * `npm run bench`: Parley against what its users would pick instead, side by side in one run.
 *
 *   npm run bench -- [--quick] [--scenario S2[,S3...]] [--target parley-ws[,baseline-ws...]] [--out DIR]
 *                    [--profile] [--sio-client raw|official] [--no-pin] [--wait-quiet]
 *
 * The load generator runs in its own process (CPU 1), each target in its own (CPU 0); every scenario runs
 * against every target in the same run; the report goes to bench/results/ (see report.ts). docs/benchmarks.md
 * explains the scenarios and holds the latest full table.
 */
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { configFor, type BenchConfig } from './config.js';
import type { Protocol } from './loadgen/clients.js';
import { startLoadgen, type Loadgen } from './loadgen/control.js';
import { canPin, REPO_ROOT } from './proc.js';
import {
  computeGoals,
  computeRatios,
  currentLoad,
  gitCommit,
  machineInfo,
  writeReport,
  type BenchReport,
  type RunInfo,
} from './report.js';
import { roomNames, type ScenarioContext, type SharedPopulation } from './scenarios/context.js';
import type { S4Run, TargetResults } from './scenarios/results.js';
import { runS1, s1Rooms, S1_ROOM_PREFIX } from './scenarios/s1.js';
import { runS2, s2Room } from './scenarios/s2.js';
import { runS3, s3Rooms, S3_ROOM_PREFIX } from './scenarios/s3.js';
import { runS3R } from './scenarios/s3r.js';
import { runA1 } from './scenarios/a1.js';
import { runS4Cluster, runS4OneNode, S4_ROOM } from './scenarios/s4.js';
import { runS5, s5Rooms, S5_ROOM_PREFIX } from './scenarios/s5.js';
import { runS6, S6_ROOM } from './scenarios/s6.js';
import { parleyRunsFrom, startTarget, useCompiledParley, type Target } from './servers/index.js';
import { isParley, SCENARIOS, TARGETS, protocolOf, type ScenarioName, type TargetName } from './types.js';

const SERVER_CPU = '0';
const LOADGEN_CPU = '1';
const QUIET_LOAD = 1.5;

export interface RunOptions {
  mode: 'quick' | 'full';
  scenarios: ScenarioName[];
  targets: TargetName[];
  outDir: string;
  profile: boolean;
  sioClient: 'raw' | 'official';
  pin: boolean;
  waitQuiet: boolean;
  /** Run Parley from the compiled output, built first (default), or from source (the harness test). */
  build?: boolean;
  /** Override sizes (the harness test shrinks everything). */
  config?: BenchConfig;
  log?: (line: string) => void;
}

function list<T extends string>(values: string[] | undefined, allowed: readonly T[], what: string): T[] {
  if (!values || values.length === 0) return [...allowed];
  const picked = values.flatMap((v) => v.split(',')).map((v) => v.trim());
  for (const v of picked) {
    if (!allowed.includes(v as T)) throw new Error(`unknown ${what} ${v} (one of ${allowed.join(', ')})`);
  }
  return allowed.filter((a) => picked.includes(a));
}

export function parseCli(argv: string[]): RunOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      scenario: { type: 'string', multiple: true },
      target: { type: 'string', multiple: true },
      out: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'sio-client': { type: 'string', default: 'raw' },
      'no-pin': { type: 'boolean', default: false },
      'wait-quiet': { type: 'boolean', default: false },
      set: { type: 'string', multiple: true },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run bench -- [--quick] [--scenario S1,S2,...] [--target parley-ws,parley-sio,baseline-sio,baseline-ws]\n' +
        '                        [--out DIR] [--profile] [--sio-client raw|official] [--no-pin] [--wait-quiet]\n' +
        '                        [--set s1.connections=3000 --set s2.sizes=100,1000 --set s3r.repeats=3 ...]\n',
    );
    process.exit(0);
  }
  const sioClient = values['sio-client'];
  if (sioClient !== 'raw' && sioClient !== 'official') throw new Error('--sio-client is raw or official');
  const mode = values.quick ? 'quick' : 'full';
  return {
    mode,
    config: applySettings(configFor(mode), values.set ?? []),
    scenarios: list(values.scenario, SCENARIOS, 'scenario'),
    targets: list(values.target, TARGETS, 'target'),
    outDir: resolve(values.out ?? join(REPO_ROOT, 'bench/results')),
    profile: values.profile,
    sioClient,
    pin: !values['no-pin'],
    waitQuiet: values['wait-quiet'],
  };
}

/** `--set s2.sizes=100,1000`: overrides a number (or a list of numbers) of the scenario config. */
export function applySettings(config: BenchConfig, settings: string[]): BenchConfig {
  const copy = structuredClone(config);
  for (const setting of settings) {
    const match = /^(s[1-6]r?)\.(\w+)=([\d.,]+)$/.exec(setting);
    if (!match) throw new Error(`--set ${setting}: expected s<N>.<field>=<number>[,<number>...]`);
    const [, scenario, field, raw] = match as unknown as [string, keyof BenchConfig, string, string];
    const section: unknown = copy[scenario];
    if (typeof section !== 'object' || section === null || !(field in section)) {
      throw new Error(`--set ${setting}: no such setting`);
    }
    const current: unknown = Reflect.get(section, field);
    const numbers = raw.split(',').map(Number);
    if (numbers.some((n) => !Number.isFinite(n))) throw new Error(`--set ${setting}: not a number`);
    Reflect.set(section, field, Array.isArray(current) ? numbers : numbers[0]);
  }
  return copy;
}

function fdLimit(): number | null {
  const probe = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const n = Number(probe.stdout.trim());
  return Number.isFinite(n) ? n : null;
}

/** Every room the selected scenarios use, created before any client connects (room_created goes to everyone). */
function roomsFor(scenarios: ScenarioName[], ctx: Pick<ScenarioContext, 'config'>): string[] {
  const rooms: string[] = [];
  const has = (s: ScenarioName) => scenarios.includes(s);
  if (has('S1')) rooms.push(...roomNames(S1_ROOM_PREFIX, s1Rooms(ctx)));
  if (has('S2')) rooms.push(...ctx.config.s2.sizes.map(s2Room));
  if (has('S3') || has('S3R') || has('A1')) rooms.push(...roomNames(S3_ROOM_PREFIX, s3Rooms(ctx)));
  if (has('S4')) rooms.push(S4_ROOM);
  if (has('S5') && !has('S1')) rooms.push(...roomNames(S5_ROOM_PREFIX, s5Rooms(ctx)));
  if (has('S6')) rooms.push(S6_ROOM);
  return rooms;
}

async function attempt<T>(
  results: TargetResults,
  label: string,
  log: (l: string) => void,
  fn: () => Promise<T>,
) {
  const started = Date.now();
  try {
    return await fn();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    results.errors.push(`${label}: ${message}`);
    log(`${label} failed: ${message.split('\n').slice(0, 5).join(' | ')}`);
    return undefined;
  } finally {
    results.seconds[label] = Math.round((Date.now() - started) / 100) / 10;
  }
}

export async function runBench(opts: RunOptions): Promise<{ report: BenchReport; files: string[] }> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`[bench] ${line}\n`));
  const config = opts.config ?? configFor(opts.mode);
  const notes: string[] = [];
  const startedAt = new Date();

  let load = currentLoad();
  if ((load[0] ?? 0) > QUIET_LOAD) {
    if (opts.waitQuiet) {
      log(`load average ${load[0]} > ${QUIET_LOAD}: waiting for a quiet machine (up to 15 min)`);
      const until = Date.now() + 15 * 60_000;
      while ((currentLoad()[0] ?? 0) > QUIET_LOAD && Date.now() < until) await sleep(15_000);
      load = currentLoad();
    }
    if ((load[0] ?? 0) > QUIET_LOAD) {
      notes.push(
        `The machine was busy at the start (load average ${load.join(' / ')}): numbers are noisier.`,
      );
      log(`warning: load average ${load[0]}; results will be noisy`);
    }
  }
  const pinned = opts.pin && canPin();
  if (!pinned) notes.push('Server and load generator were not pinned to separate cores.');
  const limit = fdLimit();
  const biggest = Math.max(config.s1.connections, config.s5.clients, ...config.s2.sizes, config.s3.users);
  if (limit !== null && limit < biggest + 512) {
    notes.push(
      `The open files limit (${limit}) is below the ${biggest} connections of the largest scenario.`,
    );
    log(`warning: ulimit -n is ${limit}, below ${biggest + 512}`);
  }
  if (opts.sioClient === 'official') notes.push('socket.io targets were driven with socket.io-client.');

  if (opts.build !== false && opts.targets.some(isParley)) {
    log('building Parley (tsc -p tsconfig.build.json)');
    useCompiledParley();
  }
  notes.push(`Parley ran from ${parleyRunsFrom()}.`);

  const profileDir = opts.profile ? join(opts.outDir, 'profiles') : null;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  const serverCpu = pinned ? SERVER_CPU : null;
  const loadgen: Loadgen = startLoadgen({ cpu: pinned ? LOADGEN_CPU : null });
  const results: Partial<Record<TargetName, TargetResults>> = {};
  const oneNode = new Map<TargetName, S4Run>();
  const protocolFor = (t: TargetName): Protocol =>
    protocolOf(t) === 'sio' && opts.sioClient === 'official' ? 'sio-official' : protocolOf(t);
  const has = (s: ScenarioName) => opts.scenarios.includes(s);

  try {
    for (const name of opts.targets) {
      const targetResults: TargetResults = { errors: [], seconds: {} };
      results[name] = targetResults;
      log(`${name}: starting`);
      let target: Target;
      try {
        target = await startTarget(name, { cpu: serverCpu });
      } catch (err) {
        targetResults.errors.push(`start: ${err instanceof Error ? err.message : String(err)}`);
        log(`${name}: failed to start`);
        continue;
      }
      const ctx: ScenarioContext = {
        config,
        loadgen,
        target,
        protocol: protocolFor(name),
        profileDir,
        log: (line) => log(`${name} ${line}`),
      };
      try {
        await target.ensureRooms(roomsFor(opts.scenarios, ctx));
        // S5 drops "all clients of S1": when both run, they share one population (Parley: typed clients).
        const sharedS1 = has('S1') && has('S5');
        const typed = sharedS1 && isParley(name);
        const s1 = has('S1')
          ? await attempt(targetResults, 'S1', ctx.log, () => runS1(ctx, { typed, keep: sharedS1 }))
          : undefined;
        targetResults.S1 = s1?.result;
        if (has('S5')) {
          const pop = sharedS1 && s1 ? { pop: 's1', populate: s1.populate, typed } : null;
          if (sharedS1 && !s1) await loadgen.run('close', { pop: 's1' });
          targetResults.S5 = await attempt(targetResults, 'S5', ctx.log, () => runS5(ctx, pop));
        }
        // S2's rooms serve S4's one-node run and S6 when the sizes match (S6 last: it spoils its room).
        const keep = new Set<number>();
        if (has('S4') && config.s2.sizes.includes(config.s4.members)) keep.add(config.s4.members);
        if (has('S6') && config.s2.sizes.includes(config.s6.members)) keep.add(config.s6.members);
        if (has('S2')) {
          targetResults.S2 = await attempt(targetResults, 'S2', ctx.log, () => runS2(ctx, keep));
        }
        // Only a room whose members all survived S2's last step is reused.
        const kept = (members: number): SharedPopulation | null =>
          keep.has(members) && targetResults.S2?.sizes.some((s) => s.members === members && s.intact)
            ? { pop: `s2-${members}`, members }
            : null;
        // Quick runs put only the ws targets on two nodes: the one-node reference is for them alone.
        if (has('S4') && (opts.mode === 'full' || name.endsWith('-ws'))) {
          const shared = kept(config.s4.members);
          const run = await attempt(targetResults, 'S4 one node', ctx.log, () => runS4OneNode(ctx, shared));
          if (run) oneNode.set(name, run);
        }
        if (has('S6')) {
          const shared = kept(config.s6.members);
          targetResults.S6 = await attempt(targetResults, 'S6', ctx.log, () => runS6(ctx, shared));
        }
        for (const members of keep) await loadgen.run('close', { pop: `s2-${members}` });
        if (has('S3')) targetResults.S3 = await attempt(targetResults, 'S3', ctx.log, () => runS3(ctx));
        if (has('S3R')) targetResults.S3R = await attempt(targetResults, 'S3R', ctx.log, () => runS3R(ctx));
        if (has('A1')) {
          targetResults.A1 = (await attempt(targetResults, 'A1', ctx.log, () => runA1(ctx))) ?? undefined;
        }
      } finally {
        await target.stop();
      }
    }
    if (has('S4')) {
      // Quick runs check the two-node path on one framing of each kind only.
      const clustered = opts.mode === 'quick' ? opts.targets.filter((t) => t.endsWith('-ws')) : opts.targets;
      if (clustered.length < opts.targets.length) {
        notes.push(`S4 ran on two nodes for ${clustered.join(' and ')} only (quick run).`);
      }
      for (const name of clustered) {
        const targetResults = results[name];
        if (!targetResults) continue;
        log(`${name}: S4 on two nodes`);
        const ctx = {
          config,
          loadgen,
          protocol: protocolFor(name),
          profileDir,
          log: (l: string) => log(`${name} ${l}`),
        };
        targetResults.S4 = await attempt(targetResults, 'S4', ctx.log, () =>
          runS4Cluster(ctx, name, serverCpu, oneNode.get(name) ?? null),
        );
        if (targetResults.S4?.skipped) notes.push(`S4 ${name}: ${targetResults.S4.skipped}`);
      }
    }
  } finally {
    await loadgen.stop();
  }

  const finishedAt = new Date();
  const run: RunInfo = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSec: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    mode: opts.mode,
    argv: process.argv.slice(2),
    machine: machineInfo(),
    commit: gitCommit(),
    pinned: { server: pinned ? SERVER_CPU : null, loadgen: pinned ? LOADGEN_CPU : null },
    fdLimit: limit,
    loadAvgAtStart: load,
    loadAvgAtEnd: currentLoad(),
    sioClient: opts.sioClient,
    targets: opts.targets,
    scenarios: opts.scenarios,
    notes,
  };
  const report: BenchReport = {
    version: 1,
    run,
    results,
    ratios: computeRatios(results),
    goals: computeGoals(results, opts.mode),
  };
  const files = await writeReport(report, opts.outDir);
  log(`report: ${files.join(', ')} (${Math.round(run.durationSec)} s)`);
  return { report, files };
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  // Ctrl-C or a kill: exit through process.exit, whose handler (proc.ts) kills the servers and the generator.
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  try {
    await runBench(parseCli(process.argv.slice(2)));
    process.exit(0);
  } catch (err) {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  }
}
