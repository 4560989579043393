/**
 * Rows of the goals table whose figures come from S3P, S4S, S6's cut times and S1L at the open-files limit
 * (goals.ts puts them in the issue's order).
 */
import { S4S_MAX_SHARE_PCT } from '../config.js';
import type { TargetResults } from '../scenarios/results.js';
import { s3pMissed } from '../scenarios/s3pReport.js';
import type { TargetName } from '../types.js';
import { KB } from './format.js';
import { bound, cpuWhy, notMeasured, r1, type IssueGoal } from './goalsBase.js';

/** The stopped readers' time to a cut, each and the longest, against 5 s. */
export function cutGoal(goal: string, s6: NonNullable<TargetResults['S6']>, closed: number): IssueGoal {
  const cuts = s6.slowCutMs;
  if (!cuts || cuts.length === 0) {
    return {
      ...notMeasured(
        goal,
        'this report does not record when each was cut, only that it was by the end of the step',
      ),
      figure: `${closed} of ${s6.slowMembers} stopped readers cut`,
      ...(closed < s6.slowMembers ? { met: false, by: `${s6.slowMembers - closed} never cut` } : {}),
    };
  }
  const never = cuts.filter((c) => c === null).length;
  const each = cuts.map((c) => (c === null ? 'never' : `${r1(c / 1000)}`)).join(', ');
  const longest =
    s6.slowCutMaxMs === null || s6.slowCutMaxMs === undefined
      ? 'none cut'
      : `max ${r1(s6.slowCutMaxMs / 1000)} s`;
  const figure = `${longest} (each: ${each} s)`;
  const why = `time from a reader's last read to the server's end of its connection leaving ESTABLISHED; ${cuts.length} readers`;
  if (never > 0 || s6.slowCutMaxMs === null || s6.slowCutMaxMs === undefined) {
    return { goal, figure, met: false, by: `${never} never cut`, why };
  }
  return bound(goal, figure, r1(s6.slowCutMaxMs / 1000), 5, 'lower', ' s', why);
}

/** S3P: the most committed per second on PostgreSQL, over steps that rise until two in a row fall short. */
export function postgresGoal(res: Partial<Record<TargetName, TargetResults>>): IssueGoal {
  const goal = 'Highest persisted rate ≥ 10,000 msg/s on PostgreSQL (S3P, parley-ws)';
  const p = res['parley-ws']?.S3P;
  if (!p || p.steps.length === 0 || p.highestCommittedPerSec === null) {
    return notMeasured(goal, p?.skipped ?? 'S3P (S3 on PostgreSQL) not run on parley-ws');
  }
  const best = [...p.steps].sort((a, b) => b.committedPerSec - a.committedPerSec)[0] ?? p.steps[0];
  const top = Math.max(...p.steps.map((s) => s.rate));
  const stopped = p.steps.length >= 2 && p.steps.slice(-2).every(s3pMissed);
  const end = stopped
    ? 'two steps in a row fell short of the rate offered'
    : `the steps stop at ${top}/s: the rate offered may have set it`;
  return bound(
    goal,
    `${p.highestCommittedPerSec}/s (at ${best?.rate ?? '?'} offered; steps ${p.steps.map((s) => `${s.rate}→${Math.round(s.committedPerSec)}`).join(', ')})`,
    p.highestCommittedPerSec,
    10_000,
    'higher',
    ' msg/s',
    `${cpuWhy(best?.cpu)}; ${end}`,
  );
}

/** S4-scale on three nodes: each node's share of the bus, and the cross-node latency (reported, no bound). */
export function scaleGoals(res: Partial<Record<TargetName, TargetResults>>): IssueGoal[] {
  const goal = `S4-scale: each node handles ≤ ${S4S_MAX_SHARE_PCT} % of the bus messages (S4S, parley-ws)`;
  const latency = 'S4-scale: send→delivery p99 across nodes at 2,000 msg/s (reported, no bound)';
  const s = res['parley-ws']?.S4S;
  if (!s || s.maxSharePct === null) {
    const why = s?.skipped ?? 'S4S not run on parley-ws';
    return [notMeasured(goal, why), notMeasured(latency, why)];
  }
  const shares = s.perNode.map((n) => `${n.sharePct} %`).join(' / ');
  const shape = `${s.nodes} nodes × ${s.rooms} rooms of ${s.roomSize}, every ${s.pairEvery}th on two`;
  const other = s.otherNode;
  return [
    bound(
      goal,
      `largest ${s.maxSharePct} % (${shares} of ${s.clusterPublished} published)`,
      s.maxSharePct,
      S4S_MAX_SHARE_PCT,
      'lower',
      ' points',
      `${shape}; ${cpuWhy(s.step?.cpu)}`,
    ),
    other && other.count > 0
      ? {
          goal: latency,
          figure: `p99 ${r1(other.p99)} ms, p50 ${r1(other.p50)} ms at ${s.rate} msg/s offered`,
          met: null,
          reported: true,
          by: '–',
          why: `${shape}; all deliveries p99 ${s.step ? r1(s.step.deliver.p99) : '–'} ms`,
        }
      : notMeasured(latency, 'no delivery crossed nodes in the step'),
  ];
}

/** S1L: held at the size asked, or at the largest the open-files limit allows (then missed, with the figures). */
export function largeGoal(goal: string, l: NonNullable<TargetResults['S1L']>): IssueGoal {
  const held = l.connections.toLocaleString('en-US');
  const healthz = `/healthz max ${l.healthz.maxMs ?? '–'} ms${l.healthz.failed > 0 ? `, ${l.healthz.failed} failed` : ''}`;
  const figures =
    `RSS ${r1(l.rssPerConn / KB)} KB and heap ${r1(l.heapPerConn / KB)} KB per connection, ` +
    `${l.connectRatePerSec}/s connect rate, ${healthz}`;
  const failures = Object.keys(l.errors).length > 0 ? `; failures: ${JSON.stringify(l.errors)}` : '';
  if (l.connections >= 100_000) {
    return {
      goal,
      figure: `${held} held, ${healthz}`,
      met: l.healthz.within100Ms,
      by: `max ${l.healthz.maxMs ?? '–'} ms`,
      why: `${figures}${failures}`,
    };
  }
  const capped = l.attempted < (l.configured ?? l.attempted);
  const reason = capped
    ? `run at ${l.attempted.toLocaleString('en-US')}, the most the open files limit (${l.limits.openFiles?.toLocaleString('en-US') ?? '?'} per process) allows`
    : [`run at ${l.attempted.toLocaleString('en-US')} as configured`, ...l.limits.problems].join('; ');
  return {
    goal,
    figure: `${held} held (not 100,000), ${healthz}`,
    met: false,
    by: `${(100_000 - l.connections).toLocaleString('en-US')} connections short`,
    why: `${reason}; ${figures}${failures}`,
  };
}
