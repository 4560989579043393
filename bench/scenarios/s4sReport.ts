/** S4S in the report: each node's share of the cluster's bus traffic, and the latency across nodes. */
import { S4S_MAX_SHARE_PCT } from '../config.js';
import type { TargetName } from '../types.js';
import type { TargetResults } from './results.js';

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

export function s4sTable(
  results: Partial<Record<TargetName, TargetResults>>,
  targets: readonly TargetName[],
): { header: string[]; rows: string[][] } | null {
  const rows = targets.flatMap((t) => {
    const s = results[t]?.S4S;
    if (!s) return [];
    const step = s.step;
    const shares = s.perNode.map((n) => `${n.sharePct}%`).join(' / ');
    const verdict =
      s.maxSharePct === null ? '–' : s.maxSharePct <= S4S_MAX_SHARE_PCT ? 'within' : 'over the bound';
    return [
      [
        t,
        `${s.nodes} × ${s.rooms} rooms of ${s.roomSize}, every ${s.pairEvery}th on two`,
        step ? `${s.rate} / ${step.committedPerSec}` : String(s.rate),
        s.clusterPublished > 0 ? `${s.clusterPublished}: ${shares}` : '–',
        `${s.maxSharePct ?? '–'}% (${verdict} ${S4S_MAX_SHARE_PCT}%)`,
        s.otherNode ? `${fmt(s.otherNode.p50)} / ${fmt(s.otherNode.p99)} ms` : '–',
        step ? `${fmt(step.deliver.p99)} ms, ack ${fmt(step.ack.p99)} ms` : '–',
        step ? `${step.cpu.server}% / ${step.cpu.loadgen}%` : '–',
        s.skipped ?? (step && step.missing > 0 ? `${step.missing} missing` : ''),
      ],
    ];
  });
  if (rows.length === 0) return null;
  return {
    header: [
      'Target',
      'Shape',
      'Offered / committed msg/s',
      'Published on the bus: received per node',
      'Largest share',
      'Other-node delivery p50/p99',
      'All deliveries p99',
      'CPU server (3 nodes) / loadgen',
      'Note',
    ],
    rows,
  };
}
