/** S1L in the report: its detail table and its target (/healthz within 100 ms with every connection held). */
import type { Goal } from '../report/types.js';
import type { TargetName } from '../types.js';
import type { TargetResults } from './results.js';

const KB = 1024;
const kb = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const ms = (v: number | null) => (v === null ? '–' : `${v} ms`);

export function s1lFailures(errors: Record<string, number>): string {
  const entries = Object.entries(errors).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? 'none' : entries.map(([reason, n]) => `${reason} ${n}`).join(', ');
}

export function s1lTable(
  results: Partial<Record<TargetName, TargetResults>>,
  targets: readonly TargetName[],
): { header: string[]; rows: string[][] } | null {
  const rows = targets.flatMap((t) => {
    const s = results[t]?.S1L;
    if (!s) return [];
    return [
      [
        t,
        `${s.connections} / ${s.attempted} from ${s.sourceAddresses.length} addresses (${s.stillOpen} still open)`,
        `${mb(s.serverAfter.rss)} / ${mb(s.serverAfter.heapUsed)}`,
        `${kb(s.rssPerConn)} / ${kb(s.heapPerConn)}`,
        `${s.connectRatePerSec}/s in ${s.connectSeconds} s`,
        s1lFailures(s.errors),
        `${ms(s.healthz.p50Ms)} / ${ms(s.healthz.maxMs)}${s.healthz.failed > 0 ? `, ${s.healthz.failed} failed` : ''}`,
        `${s.limits.openFiles ?? '?'} / ${s.limits.portRange ?? '?'} / ${s.limits.somaxconn ?? '?'}` +
          (s.limits.problems.length > 0 ? ` ⚠ ${s.limits.problems.join('; ')}` : ''),
      ],
    ];
  });
  if (rows.length === 0) return null;
  return {
    header: [
      'Target',
      'Connections (open / asked)',
      'Server RSS / heap held',
      'RSS / heap per connection',
      'Connect rate',
      'Connect failures',
      `/healthz p50 / max`,
      'Open files / port range / somaxconn',
    ],
    rows,
  };
}

export function s1lGoals(results: Partial<Record<TargetName, TargetResults>>, quick: string): Goal[] {
  return (['parley-ws'] as const).flatMap((t) => {
    const s = results[t]?.S1L;
    if (!s) return [];
    const max = s.healthz.maxMs;
    return [
      {
        id: `S1L-${t}`,
        description: `S1L: /healthz answers within 100 ms with ${s.connections} idle connections held (${t})${quick}`,
        value: `max ${ms(max)}, p50 ${ms(s.healthz.p50Ms)} over ${s.healthz.probes} probes, ${s.healthz.failed} failed`,
        goal: '≤ 100 ms',
        met: s.healthz.within100Ms,
        margin: max === null ? '-' : `${max <= 100 ? '' : '+'}${Math.round((max - 100) * 10) / 10} ms`,
      },
    ];
  });
}
