/**
 * Latency histograms: perf_hooks HDR histograms in microseconds (3 significant figures, up to 10 minutes),
 * summarized in milliseconds.
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

const HIGHEST_US = 600_000_000;

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export function newHistogram(): RecordableHistogram {
  return createHistogram({ lowest: 1, highest: HIGHEST_US, figures: 3 });
}

/** Records a latency given in milliseconds (clamped into the histogram's range). */
export function recordMs(h: RecordableHistogram, ms: number): void {
  const us = Math.round(ms * 1000);
  h.record(us < 1 ? 1 : us > HIGHEST_US ? HIGHEST_US : us);
}

const round = (us: number) => Math.round(us) / 1000;

export function summarize(h: RecordableHistogram): LatencySummary {
  if (h.count === 0) return { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  return {
    count: h.count,
    p50: round(h.percentile(50)),
    p90: round(h.percentile(90)),
    p99: round(h.percentile(99)),
    p999: round(h.percentile(99.9)),
    max: round(h.max),
    mean: round(h.mean),
  };
}

export const EMPTY_SUMMARY: LatencySummary = { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };

/**
 * Event-loop delay histograms (monitorEventLoopDelay) count their own timer interval in every sample: this is
 * the delay beyond it, in ms.
 */
export const LOOP_RESOLUTION_MS = 10;
export function loopDelayMs(ns: number): number {
  return Math.max(0, Math.round((ns / 1e6 - LOOP_RESOLUTION_MS) * 1000) / 1000);
}
