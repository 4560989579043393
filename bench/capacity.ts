/**
 * The capacity model (docs/capacity.md) from benchmark results: per-core unit costs out of the reports, then
 * nodes, PostgreSQL and Redis for 10k, 100k and 1M concurrent users at a stated workload.
 *
 *   npm run capacity                                   # every report in bench/results, newest full run first
 *   npm run capacity -- bench/results/A.json           # these reports only
 *   npm run capacity -- --unit usPerBusMessage=20 --workload messagesPerUserPerSec=0.01 --limit cpuTarget=0.5
 *   npm run capacity -- --users 5000,50000 --nodes 2x24,8x32,16x64 --target parley-sio --json
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DEFAULT_LIMITS,
  DEFAULT_WORKLOAD,
  type Limits,
  type NodeShape,
  type Workload,
} from './capacity/model.js';
import { renderPlans, renderUnits, renderWorkload, type Scenario } from './capacity/render.js';
import { ASSUMED, labelOf, unitCosts, type Sourced, type UnitName } from './capacity/units.js';
import { REPO_ROOT } from './proc.js';
import type { BenchReport } from './report/types.js';
import { TARGETS, type TargetName } from './types.js';

export interface CapacityCli {
  files: string[];
  target: TargetName;
  units: Partial<Record<UnitName, number>>;
  workload: Omit<Workload, 'users'>;
  limits: Limits;
  users: number[];
  nodes: NodeShape[];
  json: boolean;
}

function numberOf(text: string, what: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${what}: not a number ≥ 0: ${text}`);
  return value;
}

function assign<T extends object>(into: T, pair: string, what: string): void {
  const [key, raw] = pair.split('=');
  if (!key || raw === undefined || !(key in into)) {
    throw new Error(`${what}: unknown field in ${pair} (known: ${Object.keys(into).join(', ')})`);
  }
  Object.assign(into, { [key]: numberOf(raw, `${what} ${key}`) });
}

export function parseCapacityCli(argv: readonly string[]): CapacityCli {
  const cli: CapacityCli = {
    files: [],
    target: 'parley-ws',
    units: {},
    workload: { ...DEFAULT_WORKLOAD },
    limits: { ...DEFAULT_LIMITS },
    users: [10_000, 100_000, 1_000_000],
    nodes: [
      { cores: 2, ramGiB: 24 },
      { cores: 8, ramGiB: 32 },
    ],
    json: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const next = () => {
      const value = argv[(i += 1)];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      return value;
    };
    if (arg === '--target') {
      const t = next();
      if (!(TARGETS as readonly string[]).includes(t))
        throw new Error(`--target: one of ${TARGETS.join(', ')}`);
      cli.target = t as TargetName;
    } else if (arg === '--unit') {
      const [key, raw] = next().split('=');
      if (!key || raw === undefined || !(key in ASSUMED)) {
        throw new Error(`--unit: name=value, names: ${Object.keys(ASSUMED).join(', ')}`);
      }
      cli.units[key as UnitName] = numberOf(raw, key);
    } else if (arg === '--workload') assign(cli.workload, next(), '--workload');
    else if (arg === '--limit') assign(cli.limits, next(), '--limit');
    else if (arg === '--users')
      cli.users = next()
        .split(',')
        .map((u) => numberOf(u, '--users'));
    else if (arg === '--nodes') {
      cli.nodes = next()
        .split(',')
        .map((shape) => {
          const [cores, ram] = shape.split('x');
          return {
            cores: numberOf(cores ?? '', '--nodes cores'),
            ramGiB: numberOf(ram ?? '', '--nodes GiB'),
          };
        });
    } else if (arg === '--json') cli.json = true;
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else cli.files.push(arg);
  }
  return cli;
}

async function loadReports(files: string[]): Promise<Sourced[]> {
  let paths = files;
  if (paths.length === 0) {
    const dir = join(REPO_ROOT, 'bench/results');
    // latest.json repeats one of the stamped reports.
    paths = (await readdir(dir).catch(() => []))
      .filter((f) => f.endsWith('.json') && f !== 'latest.json')
      .map((f) => join(dir, f));
  }
  return Promise.all(
    paths.map(async (path) => {
      const report = JSON.parse(await readFile(path, 'utf8')) as BenchReport;
      return { label: labelOf(report), report };
    }),
  );
}

export async function capacityReport(cli: CapacityCli): Promise<string> {
  const reports = await loadReports(cli.files);
  const units = unitCosts(reports, cli.target, cli.units);
  const scenario: Scenario = {
    users: cli.users,
    nodes: cli.nodes,
    routings: ['all', 'room'],
    workload: cli.workload,
    limits: cli.limits,
  };
  if (cli.json) return JSON.stringify({ units, scenario }, null, 2);
  const out: string[] = ['# Parley capacity model', ''];
  out.push(
    reports.length === 0
      ? 'No benchmark report found: every unit cost below is an assumption.'
      : `From ${reports.length} report(s): ${reports.map((r) => r.label).join(', ')}; target ${cli.target}.`,
    '',
  );
  out.push('## Unit costs', '', renderUnits(units), '');
  out.push('## Workload', '', ...renderWorkload(cli.workload, cli.limits), '');
  out.push('## Plans', '', ...renderPlans(units, scenario));
  return out.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    process.stdout.write(`${await capacityReport(parseCapacityCli(process.argv.slice(2)))}\n`);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  }
}
