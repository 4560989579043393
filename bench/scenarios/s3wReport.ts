/** S3W in the report: the pairs side by side, and the bound on throughput and draining. */
import { S3W_MIN_DELIVERY_SHARE, S3W_MIN_RATIO } from '../config.js';
import type { TargetName } from '../types.js';
import type { TargetResults } from './results.js';

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

export function s3wTable(
  results: Partial<Record<TargetName, TargetResults>>,
  targets: readonly TargetName[],
): { header: string[]; rows: string[][] } | null {
  const rows = targets.flatMap((t) =>
    (results[t]?.S3W?.pairs ?? []).map((p) => [
      t,
      String(p.rate),
      `${p.plain.committedPerSec} / ${fmt(p.plain.ack.p99)} ms`,
      `${p.hooked.committedPerSec} / ${fmt(p.hooked.ack.p99)} ms`,
      p.throughputRatio === null ? '–' : `${p.throughputRatio}×`,
      `${p.deliveries.received} / ${p.deliveries.expected}`,
      `${p.deliveries.perSec} / ${p.deliveries.messagesPerSec}`,
      p.deliveries.drainMs === null
        ? `unfinished, ${p.deliveries.backlog} left`
        : `${p.deliveries.drainMs} ms`,
      `${p.plain.cpu.server}% / ${p.hooked.cpu.server}%`,
    ]),
  );
  if (rows.length === 0) return null;
  return {
    header: [
      'Target',
      'Offered msg/s',
      'S3 committed/s / ack p99',
      'Webhooks committed/s / ack p99',
      'Ratio',
      'Deliveries received / expected',
      'Deliveries/s / messages/s',
      'Drain after last send',
      'Server CPU S3 / webhooks',
    ],
    rows,
  };
}

/**
 * Per Parley target: the worst rate's ratio at least S3W_MIN_RATIO, and every step's outbox drained at (nearly)
 * the message rate.
 */
export function s3wGoals(results: Partial<Record<TargetName, TargetResults>>, quick: string) {
  return (['parley-ws', 'parley-sio'] as const).flatMap((t) => {
    const s3w = results[t]?.S3W;
    const pairs = (s3w?.pairs ?? []).filter((p) => p.throughputRatio !== null);
    if (!s3w || pairs.length === 0) return [];
    const worst = pairs.reduce((a, b) => ((b.throughputRatio ?? 0) < (a.throughputRatio ?? 0) ? b : a));
    const worstRatio = worst.throughputRatio ?? 0;
    const drained = pairs.every(
      (p) =>
        p.deliveries.drainMs !== null &&
        p.deliveries.perSec >= S3W_MIN_DELIVERY_SHARE * p.deliveries.messagesPerSec,
    );
    return [
      {
        id: `S3W-${t}`,
        description: `S3W: one webhook endpoint receiving every message costs at most ${Math.round((1 - S3W_MIN_RATIO) * 100)} % of S3's throughput and its outbox drains (${t}, ${s3w.users} users)${quick}`,
        value: pairs
          .map(
            (p) =>
              `${p.throughputRatio}× at ${p.rate}/s, ${p.deliveries.perSec} deliveries/s for ${p.deliveries.messagesPerSec} msg/s, drain ${p.deliveries.drainMs ?? '–'} ms`,
          )
          .join(', '),
        goal: `≥ ${S3W_MIN_RATIO}×, deliveries ≥ ${S3W_MIN_DELIVERY_SHARE}× the message rate`,
        met: worstRatio >= S3W_MIN_RATIO && drained,
        margin: `${worstRatio >= S3W_MIN_RATIO ? '+' : ''}${Math.round((worstRatio - S3W_MIN_RATIO) * 1000) / 1000}× at ${worst.rate}/s${drained ? '' : ', outbox behind'}`,
      },
    ];
  });
}
