/**
 * The performance issue's goals for the seed dialects (S2 with the dialect targets, bench/loadgen/dialects.ts):
 * CPU per delivery of each dialect against its framing's baseline (the ws ceiling for the plain-WebSocket ones,
 * bare socket.io for the socket.io ones), and the knee of the numeric dialect against both baselines. The rows
 * are worked out as goals.ts works out parley-ws's, whose helpers they use.
 */
import { DIALECTS, protocolOf, type DialectName, type TargetName } from '../types.js';
import { perDeliveryRatios, S2_MEMBERS, s2Size } from './goals.js';
import { bound, notMeasured, type IssueGoal } from './goalsBase.js';
import type { BenchReport } from './types.js';

const MEMBERS = () => S2_MEMBERS.toLocaleString('en-US');

/** The baseline a dialect is held to: the one of its framing. */
export function dialectBaseline(dialect: DialectName): { target: TargetName; name: string } {
  return protocolOf(`parley-${dialect}`) === 'ws'
    ? { target: 'baseline-ws', name: 'the ws ceiling' }
    : { target: 'baseline-sio', name: 'socket.io' };
}

/** One row per dialect: CPU per delivery ≤ 1.15 × its baseline's (median of the steps both passed). */
export function dialectCpuGoals(report: BenchReport): IssueGoal[] {
  return DIALECTS.map((dialect) => {
    const t = `parley-${dialect}` as const;
    const base = dialectBaseline(dialect);
    const goal = `S2, ${MEMBERS()} members: ${t} CPU per delivery ≤ 1.15 × ${base.name}'s`;
    const a = s2Size(report.results[t]);
    const b = s2Size(report.results[base.target]);
    const ratios = a && b ? perDeliveryRatios(a, b) : null;
    if (!ratios) {
      return notMeasured(
        goal,
        `no S2 step at ${S2_MEMBERS} members that both ${t} and ${base.target} passed`,
      );
    }
    return bound(
      goal,
      `${ratios.median}× (median of ${ratios.steps} steps both passed, ${ratios.min}–${ratios.max}×)`,
      ratios.median,
      1.15,
      'lower',
      '×',
      'REST publisher; the ratio moves with the step: one step alone is not a result',
    );
  });
}

/** The numeric dialect's knee (REST publisher, the only one the dialect targets use) against each baseline. */
export function numericKneeGoals(report: BenchReport): IssueGoal[] {
  const p = s2Size(report.results['parley-numeric']);
  return (
    [
      ['baseline-ws', 0.8, 'the ws ceiling'],
      ['baseline-sio', 1.5, 'socket.io'],
    ] as const
  ).map(([base, factor, name]) => {
    const goal = `S2 knee, ${MEMBERS()} members, REST publisher: parley-numeric ≥ ${factor} × ${name}'s`;
    const b = s2Size(report.results[base]);
    if (!p || !b || p.knee === null || b.knee === null) {
      return notMeasured(goal, `no knee at ${S2_MEMBERS} members for parley-numeric or ${base}`);
    }
    const ratio = Math.round((p.knee / b.knee) * 100) / 100;
    const limited =
      p.limitedBy === 'not reached' ? 'no step failed' : `${p.limitedBy} saturated over the knee`;
    return bound(
      goal,
      `${p.knee / 1000}k against ${b.knee / 1000}k/s: ${ratio}×`,
      ratio,
      factor,
      'higher',
      '×',
      limited,
    );
  });
}
