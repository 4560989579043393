/**
 * `npm run bench`: Parley against what its users would pick instead, side by side in one run.
 *
 *   npm run bench -- [--quick | --goals] [--scenario S2[,S3...]] [--target parley-ws[,baseline-ws...]] [--out DIR]
 *                    [--runs N] [--profile] [--sio-client raw|official] [--no-pin] [--wait-quiet]
 *
 * `--goals` runs only what the report's goals table needs, at full size (goalsPreset.ts).
 *
 * `--runs N` repeats the whole selected set (every scenario against every target) N times in one report: the
 * summary shows each figure's min / median / max over the runs (report/runs.ts).
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
import { loadAvg1, stealMark, stealSince, type RunRecord } from './report/runs.js';
import { GOALS_PLAN, GOALS_SCENARIOS, goalsConfig, goalsTargets } from './goalsPreset.js';
import { runSet, type ScenarioPlan } from './runSet.js';
import { parleyRunsFrom, useCompiledParley } from './servers/index.js';
import {
  DEFAULT_SCENARIOS,
  DEFAULT_TARGETS,
  DIALECT_SCENARIOS,
  dialectOf,
  isParley,
  SCENARIOS,
  TARGETS,
  type ScenarioName,
  type TargetName,
} from './types.js';

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
  /** Repetitions of the whole selected set (default: 1 quick, 3 full). */
  runs?: number;
  /** Run Parley from the compiled output, built first (default), or from source (the harness test). */
  build?: boolean;
  /** Override sizes (the harness test shrinks everything). */
  config?: BenchConfig;
  /** Which targets each scenario runs on (`--goals`); without it, every scenario runs on every target. */
  plan?: ScenarioPlan;
  log?: (line: string) => void;
}

function list<T extends string>(
  values: string[] | undefined,
  allowed: readonly T[],
  what: string,
  byDefault: readonly T[] = allowed,
): T[] {
  if (!values || values.length === 0) return [...byDefault];
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
      goals: { type: 'boolean', default: false },
      scenario: { type: 'string', multiple: true },
      target: { type: 'string', multiple: true },
      out: { type: 'string' },
      runs: { type: 'string' },
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
      'usage: npm run bench -- [--quick | --goals] [--scenario S1,S2,...] [--target parley-ws,parley-sio,baseline-sio,baseline-ws]\n' +
        '                        (S2 also: --target parley-numeric,parley-chatroom,parley-eventchat,parley-moneypot,parley-socketapi\n' +
        '                         with --set s2.restPublisher=1)\n' +
        '                        [--out DIR] [--runs N] [--profile] [--sio-client raw|official] [--no-pin] [--wait-quiet]\n' +
        '                        [--set s1.connections=3000 --set s2.sizes=100,1000 --set s3r.repeats=3 ...]\n',
    );
    process.exit(0);
  }
  const sioClient = values['sio-client'];
  if (sioClient !== 'raw' && sioClient !== 'official') throw new Error('--sio-client is raw or official');
  if (values.quick && values.goals) throw new Error('--goals runs full-size scenarios: not with --quick');
  const mode = values.quick ? 'quick' : 'full';
  const runs = values.runs === undefined ? defaultRuns(mode) : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 20)
    throw new Error('--runs is a whole number from 1 to 20');
  return {
    runs,
    mode,
    config: applySettings(values.goals ? goalsConfig() : configFor(mode), values.set ?? []),
    scenarios: list(
      values.scenario,
      SCENARIOS,
      'scenario',
      values.goals ? GOALS_SCENARIOS : DEFAULT_SCENARIOS,
    ),
    targets: list(values.target, TARGETS, 'target', values.goals ? goalsTargets() : DEFAULT_TARGETS),
    ...(values.goals ? { plan: GOALS_PLAN } : {}),
    outDir: resolve(values.out ?? join(REPO_ROOT, 'bench/results')),
    profile: values.profile,
    sioClient,
    pin: !values['no-pin'],
    waitQuiet: values['wait-quiet'],
  };
}

/** Three runs make a min, a median and a max; a quick run is a routine check, once. */
export function defaultRuns(mode: 'quick' | 'full'): number {
  return mode === 'quick' ? 1 : 3;
}

/** `--set s2.sizes=100,1000`: overrides a number (or a list of numbers) of the scenario config. */
export function applySettings(config: BenchConfig, settings: string[]): BenchConfig {
  const copy = structuredClone(config);
  for (const setting of settings) {
    const match = /^(s[1-6][lprsw]?)\.(\w+)=([\d.,]+)$/.exec(setting);
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

/**
 * The dialect targets take part in S2 with the REST publisher only: their clients receive in the dialect's own
 * shape, and publishing stays the same REST call for every Parley target.
 */
export function checkDialectTargets(
  opts: Pick<RunOptions, 'targets' | 'scenarios' | 'plan'>,
  config: BenchConfig,
): void {
  const dialects = opts.targets.filter((t) => dialectOf(t) !== null);
  if (dialects.length === 0) return;
  // A plan (`--goals`) names each scenario's targets itself: a dialect is then in only the scenarios it lists.
  const scenariosOf = (t: TargetName) =>
    opts.plan ? opts.scenarios.filter((s) => opts.plan?.[s]?.includes(t)) : opts.scenarios;
  const others = [
    ...new Set(dialects.flatMap((t) => scenariosOf(t).filter((s) => !DIALECT_SCENARIOS.includes(s)))),
  ];
  if (others.length > 0) {
    throw new Error(
      `${dialects.join(', ')} run ${DIALECT_SCENARIOS.join(', ')} only, not ${others.join(', ')}: ` +
        `add --scenario ${DIALECT_SCENARIOS.join(',')}`,
    );
  }
  if (config.s2.restPublisher !== 1) {
    throw new Error(`${dialects.join(', ')} publish over REST only: add --set s2.restPublisher=1`);
  }
}

function fdLimit(): number | null {
  const probe = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const n = Number(probe.stdout.trim());
  return Number.isFinite(n) ? n : null;
}

export async function runBench(opts: RunOptions): Promise<{ report: BenchReport; files: string[] }> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`[bench] ${line}\n`));
  const config = opts.config ?? configFor(opts.mode);
  checkDialectTargets(opts, config);
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
  const runs: RunRecord[] = [];
  try {
    for (let index = 1; index <= (opts.runs ?? 1); index++) {
      if ((opts.runs ?? 1) > 1) log(`run ${index} of ${opts.runs ?? 1}`);
      const runStarted = new Date();
      const loadAvgStart = loadAvg1();
      const steal = stealMark();
      const results = await runSet({
        mode: opts.mode,
        scenarios: opts.scenarios,
        targets: opts.targets,
        sioClient: opts.sioClient,
        config,
        loadgen,
        serverCpu,
        profileDir,
        log,
        ...(opts.plan ? { plan: opts.plan } : {}),
        note: (line) => {
          if (!notes.includes(line)) notes.push(line);
        },
      });
      runs.push({
        index,
        startedAt: runStarted.toISOString(),
        durationSec: Math.round((Date.now() - runStarted.getTime()) / 100) / 10,
        loadAvgStart,
        loadAvgEnd: loadAvg1(),
        stealPercent: stealSince(steal),
        results,
      });
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
  // Details, ratios and targets come from the last run; the summary's figures from all of them.
  const results = runs[runs.length - 1]?.results ?? {};
  const report: BenchReport = {
    version: 1,
    run,
    results,
    runs,
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
