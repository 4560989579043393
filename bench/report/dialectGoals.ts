/**
 * The performance issue's goals for the seed dialects (S2 with the dialect targets, bench/loadgen/dialects.ts):
 * CPU per delivery of each dialect against its framing's baseline (the ws ceiling for the plain-WebSocket ones,
 * bare socket.io for the socket.io ones), and the knee of the numeric dialect against both baselines. The rows
 * are worked out as parley-ws's are, by s2GoalRows.ts.
 */
import { DIALECTS, protocolOf, type DialectName, type TargetName } from '../types.js';
import type { IssueGoal } from './goalsBase.js';
import { cpuPerDeliveryGoal, kneeGoals } from './s2GoalRows.js';
import type { BenchReport } from './types.js';

/** The baseline a dialect is held to: the one of its framing. */
export function dialectBaseline(dialect: DialectName): { target: TargetName; name: string } {
  return protocolOf(`parley-${dialect}`) === 'ws'
    ? { target: 'baseline-ws', name: 'the ws ceiling' }
    : { target: 'baseline-sio', name: 'socket.io' };
}

/** One row per dialect: CPU per delivery ≤ 1.15 × its baseline's (median of the steps both passed). */
export function dialectCpuGoals(report: BenchReport): IssueGoal[] {
  return DIALECTS.map((dialect) =>
    cpuPerDeliveryGoal(
      report.results,
      `parley-${dialect}`,
      dialectBaseline(dialect),
      'REST publisher; the ratio moves with the step: one step alone is not a result',
    ),
  );
}

/** The numeric dialect's knee (REST publisher, the only one the dialect targets use) against each baseline. */
export function numericKneeGoals(report: BenchReport): IssueGoal[] {
  return kneeGoals(report.results, 'parley-numeric', ', REST publisher', null);
}
