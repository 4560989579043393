/**
 * The S2 rows of the goals table, for any Parley target against a baseline: CPU per delivery (median of the
 * steps both passed) and the knee. goals.ts uses them for the native framings, dialectGoals.ts for the dialects.
 */
import type { S2Size, TargetResults } from '../scenarios/results.js';
import type { TargetName } from '../types.js';
import { bound, notMeasured, r2, type IssueGoal } from './goalsBase.js';
import { percentile } from './runs.js';

export const S2_MEMBERS = 1000;
const MEMBERS = S2_MEMBERS.toLocaleString('en-US');

type Results = Partial<Record<TargetName, TargetResults>>;

export function s2Size(r: TargetResults | undefined): S2Size | null {
  return r?.S2?.sizes.find((s) => s.members === S2_MEMBERS) ?? null;
}

/**
 * CPU per delivery of `a` over `b`, step by step at the offered rates both passed (25k deliveries/s and over:
 * below, fixed costs weigh in), and the median of those ratios: one step alone moves with the noise.
 */
export function perDeliveryRatios(a: S2Size, b: S2Size) {
  const ratios: number[] = [];
  for (const sa of a.steps) {
    const sb = b.steps.find((x) => x.offeredDeliveriesPerSec === sa.offeredDeliveriesPerSec);
    if (!sa.pass || !sb?.pass || sa.offeredDeliveriesPerSec < 25_000 || sb.serverUsPerDelivery <= 0) continue;
    ratios.push(sa.serverUsPerDelivery / sb.serverUsPerDelivery);
  }
  const median = percentile(ratios, 50);
  return median === null
    ? null
    : {
        median: r2(median),
        min: r2(Math.min(...ratios)),
        max: r2(Math.max(...ratios)),
        steps: ratios.length,
      };
}

/** `t`'s CPU per delivery ≤ 1.15 × `base`'s; `why` says what the figure rests on. */
export function cpuPerDeliveryGoal(
  res: Results,
  t: TargetName,
  base: { target: TargetName; name: string },
  why: string,
): IssueGoal {
  const goal = `S2, ${MEMBERS} members: ${t} CPU per delivery ≤ 1.15 × ${base.name}'s`;
  const a = s2Size(res[t]);
  const b = s2Size(res[base.target]);
  const ratios = a && b ? perDeliveryRatios(a, b) : null;
  if (!ratios)
    return notMeasured(goal, `no S2 step at ${S2_MEMBERS} members that both ${t} and ${base.target} passed`);
  return bound(
    goal,
    `${ratios.median}× (median of ${ratios.steps} steps both passed, ${ratios.min}–${ratios.max}×)`,
    ratios.median,
    1.15,
    'lower',
    '×',
    why,
  );
}

/**
 * `t`'s knee against the ws ceiling's (≥ 0.8 ×) and socket.io's (≥ 1.5 ×). `label` goes after the room size in
 * the goal's name (', REST publisher' when the target publishes no other way); `why` comes before the reason.
 */
export function kneeGoals(res: Results, t: TargetName, label: string, why: string | null): IssueGoal[] {
  const p = s2Size(res[t]);
  return (
    [
      ['baseline-ws', 0.8, 'the ws ceiling'],
      ['baseline-sio', 1.5, 'socket.io'],
    ] as const
  ).map(([base, factor, name]) => {
    const goal = `S2 knee, ${MEMBERS} members${label}: ${t} ≥ ${factor} × ${name}'s`;
    const b = s2Size(res[base]);
    if (!p || !b || p.knee === null || b.knee === null)
      return notMeasured(goal, `no knee at ${S2_MEMBERS} members for ${t} or ${base}`);
    const ratio = r2(p.knee / b.knee);
    const limited =
      p.limitedBy === 'not reached' ? 'no step failed' : `${p.limitedBy} saturated over the knee`;
    return bound(
      goal,
      `${p.knee / 1000}k against ${b.knee / 1000}k/s: ${ratio}×`,
      ratio,
      factor,
      'higher',
      '×',
      why === null ? limited : `${why}; ${limited}`,
    );
  });
}
