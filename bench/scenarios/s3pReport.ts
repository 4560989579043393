/** S3P in the report: S3's steps on PostgreSQL, and when a step falls short of the rate offered. */
import type { TargetName } from '../types.js';
import type { S3Step, TargetResults } from './results.js';

/** A step falls short when it commits less than this share of the rate offered (or acks take over 1 s). */
export const S3P_MIN_COMMITTED_SHARE = 0.9;

export function s3pMissed(step: S3Step): boolean {
  return step.committedPerSec < S3P_MIN_COMMITTED_SHARE * step.rate || step.ack.p99 > 1000;
}

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

export function s3pTable(
  results: Partial<Record<TargetName, TargetResults>>,
  targets: readonly TargetName[],
): { header: string[]; rows: string[][] } | null {
  const rows = targets.flatMap((t) => {
    const p = results[t]?.S3P;
    if (!p) return [];
    if (p.steps.length === 0) return [[t, '–', '–', '–', '–', '–', p.skipped ?? 'no step ran']];
    return p.steps.map((s) => [
      t,
      String(s.rate),
      `${s.committedPerSec}${s3pMissed(s) ? ' (short)' : ''}`,
      `${fmt(s.ack.p50)} / ${fmt(s.ack.p99)} ms`,
      `${fmt(s.deliver.p99)} ms`,
      `${s.cpu.server}% / ${s.cpu.loadgen}%`,
      Object.keys(s.errors).length > 0
        ? JSON.stringify(s.errors)
        : s.missing > 0
          ? `${s.missing} missing`
          : '',
    ]);
  });
  if (rows.length === 0) return null;
  return {
    header: [
      'Target',
      'Offered msg/s',
      'Committed/s',
      'Ack p50/p99',
      'Deliver p99',
      'CPU server/loadgen',
      'Note',
    ],
    rows,
  };
}
