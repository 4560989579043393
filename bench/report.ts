/**
 * The report: one JSON document with everything measured, and a markdown rendering of it (summary, the ratios
 * Parley/(b) and Parley/(c) for every scenario, the issue's targets met or missed, per-scenario detail),
 * written to <out>/<timestamp>.{md,json} and <out>/latest.{md,json}, formatted with the repository's prettier
 * settings so that `npm run format:check` stays clean.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { REPO_ROOT } from './proc.js';
import { renderDetails } from './report/details.js';
import { renderPerformanceGoals } from './report/goals.js';
import { table } from './report/format.js';
import { computeGoals, computeRatios } from './report/headline.js';
import { renderSummary } from './report/summary.js';
import type { RunRecord } from './report/runs.js';
import type { BenchReport, MachineInfo, RunInfo } from './report/types.js';
import type { TargetResults } from './scenarios/results.js';
import { SCENARIOS, TARGETS, type TargetName } from './types.js';

export { computeGoals, computeRatios } from './report/headline.js';
export type { BenchReport, Goal, MachineInfo, Ratio, RunInfo } from './report/types.js';

/** os.cpus() says 0 MHz in some VMs; /proc/cpuinfo knows better. */
function cpuMhz(fallback: number): number {
  if (fallback > 0) return fallback;
  try {
    const match = /^cpu MHz\s*:\s*([\d.]+)/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return match ? Math.round(Number(match[1])) : 0;
  } catch {
    return 0;
  }
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    mhz: cpuMhz(list[0]?.speed ?? 0),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: `Linux ${release()}`,
    node: process.version,
  };
}

export function gitCommit(): string | null {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${sha} (with local changes)` : sha;
  } catch {
    return null;
  }
}

export function currentLoad(): number[] {
  return loadavg().map((l) => Math.round(l * 100) / 100);
}

export function renderMarkdown(report: BenchReport): string {
  const { run } = report;
  const out: string[] = [];
  const m = run.machine;
  out.push(`# Parley benchmarks: ${run.mode} run, ${run.startedAt}`);
  out.push('');
  out.push(
    `Machine: ${m.cpuModel}, ${m.cores} cores at ${m.mhz} MHz, ${m.memoryGiB} GiB RAM, ${m.kernel}, Node ${m.node}. ` +
      (run.pinned.server !== null
        ? `Server pinned to CPU ${run.pinned.server}, load generator to CPU ${run.pinned.loadgen} (taskset); Redis and PostgreSQL unpinned. `
        : 'Not pinned (taskset unavailable or fewer than 2 cores). ') +
      `Open files limit ${run.fdLimit ?? 'unknown'}. Load average at start ${run.loadAvgAtStart.join(' / ')}, at end ${run.loadAvgAtEnd.join(' / ')}. ` +
      `Commit ${run.commit ?? 'unknown'}. Took ${Math.round(run.durationSec)} s (\`${['npm run bench --', ...run.argv].join(' ')}\`).`,
  );
  out.push('');
  out.push(
    'Targets: **parley-ws** (Parley, native protocol over WebSocket, SQLite persistence on), **parley-sio** (Parley, ' +
      'socket.io framing, SQLite), **baseline-sio** (b: minimal socket.io server, broadcasts with socket.io, stores ' +
      'nothing), **baseline-ws** (c: minimal ws server, frames each broadcast once: the practical ceiling).',
  );
  out.push('');

  out.push(...renderSummary(report));

  out.push('## Ratios');
  out.push('');
  out.push('Parley divided by baseline (b) socket.io and (c) ws, for each framing of Parley.');
  out.push('');
  out.push(
    table(
      ['Scenario', 'Metric', 'better', 'parley-ws/(b)', 'parley-ws/(c)', 'parley-sio/(b)', 'parley-sio/(c)'],
      report.ratios.map((r) => [
        r.scenario,
        r.metric,
        r.better,
        ...(['ws/b', 'ws/c', 'sio/b', 'sio/c'] as const).map((k) =>
          r.values[k] === null ? '–' : `${r.values[k]}×`,
        ),
      ]),
    ),
  );
  out.push('');

  if (report.goals.length > 0) {
    out.push('## Targets');
    out.push('');
    out.push(
      table(
        ['Target', 'Measured', 'Goal', 'Met', 'Margin'],
        report.goals.map((g) => [
          g.description,
          g.value,
          g.goal,
          g.met === null ? 'n/a' : g.met ? 'yes' : '**no**',
          g.margin,
        ]),
      ),
    );
    out.push('');
  }

  out.push(...renderPerformanceGoals(report));

  out.push('## Details');
  out.push('');
  out.push(...renderDetails(report));

  if (run.notes.length > 0) {
    out.push('## Notes');
    out.push('');
    for (const note of run.notes) out.push(`- ${note}`);
    out.push('');
  }
  return out.join('\n');
}
// ------------------------------------------------------------------ files

async function pretty(text: string, parser: 'markdown' | 'json'): Promise<string> {
  const options = (await prettier.resolveConfig(join(REPO_ROOT, 'bench/results/latest.md'))) ?? {};
  return prettier.format(text, { ...options, parser });
}

export function stamp(iso: string): string {
  return iso.replace(/[:]/g, '').replace(/\..*$/, 'Z');
}

/** Writes <out>/<stamp>[-suffix].{md,json} and <out>/latest.{md,json}; returns the paths written. */
export async function writeReport(report: BenchReport, outDir: string, suffix = ''): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const md = await pretty(renderMarkdown(report), 'markdown');
  const json = await pretty(JSON.stringify(report), 'json');
  const base = `${stamp(report.run.startedAt)}${suffix ? `-${suffix}` : ''}`;
  const files = [
    [join(outDir, `${base}.md`), md],
    [join(outDir, `${base}.json`), json],
    [join(outDir, 'latest.md'), md],
    [join(outDir, 'latest.json'), json],
  ] as const;
  for (const [file, content] of files) await writeFile(file, content);
  return files.map(([file]) => file);
}

// ------------------------------------------------------------------ merging runs

/**
 * Several runs as one report (e.g. the connection-heavy S1 and S5 run apart from the others, on a machine that
 * is not quiet for an hour at a stretch): each target's scenarios are taken from the run that has them (the
 * later run wins), the run descriptions are combined, ratios and goals recomputed.
 */
export function mergeReports(reports: BenchReport[]): BenchReport {
  if (reports.length === 0) throw new Error('nothing to merge');
  const sorted = [...reports].sort((a, b) => a.run.startedAt.localeCompare(b.run.startedAt));
  const first = sorted[0] as BenchReport;
  const last = sorted[sorted.length - 1] as BenchReport;
  const results: Partial<Record<TargetName, TargetResults>> = {};
  for (const report of sorted) {
    for (const target of TARGETS) {
      const from = report.results[target];
      if (!from) continue;
      const into = results[target] ?? { errors: [], seconds: {} };
      for (const scenario of SCENARIOS) {
        if (from[scenario] !== undefined) Object.assign(into, { [scenario]: from[scenario] });
      }
      into.errors.push(...from.errors);
      Object.assign(into.seconds, from.seconds);
      results[target] = into;
    }
  }
  const run: RunInfo = {
    ...last.run,
    startedAt: first.run.startedAt,
    finishedAt: last.run.finishedAt,
    durationSec: sorted.reduce((sum, r) => sum + r.run.durationSec, 0),
    argv: sorted.flatMap((r, i) => (i === 0 ? r.run.argv : ['+', ...r.run.argv])),
    mode: sorted.some((r) => r.run.mode === 'quick') ? 'quick' : 'full',
    loadAvgAtStart: first.run.loadAvgAtStart,
    targets: TARGETS.filter((t) => results[t]),
    scenarios: SCENARIOS.filter((s) => sorted.some((r) => r.run.scenarios.includes(s))),
    notes: [
      `Merged from ${sorted.length} runs: ${sorted.map((r) => `${r.run.startedAt} (${r.run.scenarios.join(', ')})`).join('; ')}.`,
      ...sorted.flatMap((r) => r.run.notes),
    ],
  };
  // Every run of every report: a figure's spread is over the runs that measured it, whichever report they are in.
  const runs: RunRecord[] = sorted
    .flatMap(
      (r): RunRecord[] =>
        r.runs ?? [
          {
            index: 0,
            startedAt: r.run.startedAt,
            durationSec: r.run.durationSec,
            loadAvgStart: r.run.loadAvgAtStart[0] ?? 0,
            loadAvgEnd: r.run.loadAvgAtEnd[0] ?? 0,
            stealPercent: null,
            results: r.results,
          },
        ],
    )
    .map((r, i) => ({ ...r, index: i + 1 }));
  return {
    version: 1,
    run,
    results,
    runs,
    ratios: computeRatios(results),
    goals: computeGoals(results, run.mode),
  };
}
