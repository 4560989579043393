/**
 * The report's headline table and the list of runs. With several runs (`--runs N`), each cell is the median
 * with the min–max range beside it, and a figure that moved more than NOISE_SPREAD between runs is marked as
 * noise: a reader should not take it as a result.
 */
import { TARGETS } from '../types.js';
import { fmtValue, table } from './format.js';
import { metrics } from './headline.js';
import { NOISE_SPREAD, summarizeFigure, type FigureSummary, type RunRecord } from './runs.js';
import type { BenchReport } from './types.js';

/** The runs of a report; one written before `--runs` existed counts as its own single run. */
export function runsOf(report: BenchReport): Pick<RunRecord, 'results'>[] {
  return report.runs && report.runs.length > 0 ? report.runs : [{ results: report.results }];
}

export function fmtFigure(summary: FigureSummary | null, unit: string): string {
  if (!summary) return '–';
  if (summary.runs === 1) return fmtValue(summary.median, unit);
  const range = `${fmtValue(summary.min, unit)}–${fmtValue(summary.max, unit)}`;
  return `${fmtValue(summary.median, unit)} (${range})${summary.noise ? ' **noise**' : ''}`;
}

export function commandOf(report: BenchReport): string {
  return ['npm run bench --', ...report.run.argv].join(' ');
}

export function renderSummary(report: BenchReport): string[] {
  const runs = runsOf(report);
  const present = TARGETS.filter((t) => report.results[t]);
  const out: string[] = ['## Summary', ''];
  if (runs.length > 1) {
    out.push(
      `Each figure: median of the runs that measured it (${runs.length} runs in all), (min–max) beside it. **noise**: it moved more than ` +
        `${NOISE_SPREAD * 100} % of its median between runs ((max − min) / median), so it is not a result. ` +
        `Reproduce with \`${commandOf(report)}\`.`,
    );
  } else {
    out.push(
      `One run: no spread is known, so no figure here is a result yet (use \`--runs 3\`). ` +
        `Reproduce with \`${commandOf(report)}\`.`,
    );
  }
  out.push('');
  out.push(
    table(
      ['Scenario', 'Metric', ...present],
      metrics(report.results).map((metric) => [
        metric.scenario,
        `${metric.metric} (${metric.better} is better)`,
        ...present.map((t) => {
          const values = runs.map((run) => {
            const r = run.results[t];
            return r ? metric.get(r) : null;
          });
          return fmtFigure(summarizeFigure(values), metric.unit);
        }),
      ]),
    ),
  );
  out.push('');
  const records = report.runs ?? [];
  if (records.length > 0) {
    out.push('## Runs');
    out.push('');
    out.push(
      'What the machine was doing during each run: the 1-minute load average at its start and end, and the ' +
        "share of all cores' time the hypervisor stole. Details, ratios and targets below are the last run's.",
    );
    out.push('');
    out.push(
      table(
        ['Run', 'Started', 'Took', 'Load average start → end', 'CPU steal'],
        records.map((r) => [
          String(r.index),
          r.startedAt,
          `${Math.round(r.durationSec)} s`,
          `${r.loadAvgStart} → ${r.loadAvgEnd}`,
          r.stealPercent === null ? '–' : `${r.stealPercent} %`,
        ]),
      ),
    );
    out.push('');
  }
  return out;
}
