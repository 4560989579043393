/**
 * Is a resource flat? After the warm-up, the samples are cut in thirds and the median of the last third is
 * compared with the median of the first: medians, so that one garbage collection or one burst of reconnects
 * does not decide. The margins are stated here and printed in the report.
 */
import type { Sample } from './sampler.js';

export const MARGINS = {
  /** RSS may grow by the larger of these. */
  rssFraction: 0.1,
  rssBytes: 20 * 1024 * 1024,
  heapFraction: 0.1,
  heapBytes: 10 * 1024 * 1024,
  /** Open descriptors (one per connection, so they move with reconnects). */
  fds: 10,
} as const;

export interface Trend {
  first: number;
  last: number;
  max: number;
  allowed: number;
  flat: boolean;
}

export interface NodeVerdict {
  node: number;
  samples: number;
  rss: Trend;
  heap: Trend | null;
  fds: Trend;
  /** Worst interval's p99 and the largest single delay, after the warm-up (ms). */
  loopDelayP99Ms: number | null;
  loopDelayMaxMs: number | null;
  flat: boolean;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function trend(values: number[], allowance: (first: number) => number): Trend {
  const third = Math.max(1, Math.floor(values.length / 3));
  const first = median(values.slice(0, third));
  const last = median(values.slice(-third));
  const allowed = allowance(first);
  return { first, last, max: Math.max(...values), allowed, flat: last - first <= allowed };
}

function maxOf(values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length > 0 ? Math.max(...present) : null;
}

export function judgeNode(all: Sample[], node: number, warmupMs: number): NodeVerdict | null {
  const samples = all.filter((s) => s.node === node && s.t >= warmupMs);
  if (samples.length < 3) return null;
  const rss = trend(
    samples.map((s) => s.rssBytes),
    (first) => Math.max(first * MARGINS.rssFraction, MARGINS.rssBytes),
  );
  const heaps = samples.map((s) => s.heapUsedBytes).filter((v): v is number => v !== null);
  const heap =
    heaps.length >= 3
      ? trend(heaps, (first) => Math.max(first * MARGINS.heapFraction, MARGINS.heapBytes))
      : null;
  const fds = trend(
    samples.map((s) => s.fds),
    () => MARGINS.fds,
  );
  return {
    node,
    samples: samples.length,
    rss,
    heap,
    fds,
    loopDelayP99Ms: maxOf(samples.map((s) => s.loopDelayP99Ms)),
    loopDelayMaxMs: maxOf(samples.map((s) => s.loopDelayMaxMs)),
    flat: rss.flat && (heap?.flat ?? false) && fds.flat,
  };
}
