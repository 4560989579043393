/**
 * Figures over repeated runs (`--runs N`): each headline figure as min / median / max of its runs, flagged as
 * noise when the spread is more than a fifth of the median; and what the machine was doing during each run
 * (load average, CPU stolen by the hypervisor), so that a reader can tell a result from a disturbance.
 */
import { loadavg } from 'node:os';
import { coreTimes } from '../sample.js';
import type { TargetResults } from '../scenarios/results.js';
import type { TargetName } from '../types.js';

/** (max - min) / median above this: the figure moved too much between runs to be a result. */
export const NOISE_SPREAD = 0.2;

export interface FigureSummary {
  /** Runs that had the figure. */
  runs: number;
  min: number;
  median: number;
  max: number;
  /** (max - min) / |median|; null with a zero median (a spread around nothing), 0 with one run. */
  spread: number | null;
  /** More than NOISE_SPREAD, or a spread around a zero median. Never for a single run: see `runs`. */
  noise: boolean;
}

/** Percentile with linear interpolation between ranks; null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = ((sorted.length - 1) * p) / 100;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  const lowValue = sorted[low] as number;
  return lowValue + ((sorted[high] as number) - lowValue) * (at - low);
}

/** Min / median / max of one figure over runs; null values (a run that did not get the figure) are left out. */
export function summarizeFigure(values: readonly (number | null)[]): FigureSummary | null {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length === 0) return null;
  const min = Math.min(...present);
  const max = Math.max(...present);
  const median = percentile(present, 50) as number;
  const spread = median !== 0 ? (max - min) / Math.abs(median) : max === min ? 0 : null;
  const noise = present.length > 1 && (spread === null || spread > NOISE_SPREAD);
  return { runs: present.length, min, median, max, spread, noise };
}

/** One repetition of the selected scenarios against every selected target. */
export interface RunRecord {
  index: number;
  startedAt: string;
  durationSec: number;
  /** 1-minute load average at the start and at the end of the run. */
  loadAvgStart: number;
  loadAvgEnd: number;
  /** Percent of all cores' time stolen by the hypervisor during the run; null where /proc/stat is missing. */
  stealPercent: number | null;
  results: Partial<Record<TargetName, TargetResults>>;
}

/** Machine-wide CPU time counters, to measure the steal over a run. */
export function stealMark(): { steal: number; total: number } {
  let steal = 0;
  let total = 0;
  for (const core of coreTimes().values()) {
    steal += core.steal;
    total += core.total;
  }
  return { steal, total };
}

export function stealSince(mark: { steal: number; total: number }): number | null {
  const now = stealMark();
  const total = now.total - mark.total;
  return total > 0 ? Math.round(((now.steal - mark.steal) / total) * 1000) / 10 : null;
}

export function loadAvg1(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}
