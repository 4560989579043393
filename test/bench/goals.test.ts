/**
 * The performance issue's goals table (bench/report/goals.ts) on the stored full run of 2026-11-22, with its
 * figures worked out by hand from that report, and on an empty report (every goal not measured).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../bench/proc.js';
import { renderMarkdown } from '../../bench/report.js';
import { performanceGoals } from '../../bench/report/goals.js';
import type { BenchReport } from '../../bench/report/types.js';

const full = JSON.parse(
  readFileSync(join(REPO_ROOT, 'bench/results/2026-11-22T034416Z.json'), 'utf8'),
) as BenchReport;

const find = (goals: ReturnType<typeof performanceGoals>, text: string) => {
  const goal = goals.find((g) => g.goal.includes(text));
  if (!goal) throw new Error(`no goal with ${text}`);
  return goal;
};

describe('performance goals', () => {
  const goals = performanceGoals(full);

  it('compares S3 with the socket.io baseline plus 3 ms', () => {
    // parley-ws 22.255 ms against 6.323 + 3.
    const s3 = find(goals, 'S3 on SQLite, parley-ws');
    expect(s3.met).toBe(false);
    expect(s3.by).toBe('12.93 ms over');
  });

  it('gives the memory per connection over the ws ceiling', () => {
    // (9,059 − 7,373) / 1,024 = 1.65 KB, 1.15 KB over the 0.5 KB allowed.
    const s1 = find(goals, 'S1: memory');
    expect(s1.met).toBe(false);
    expect(s1.by).toBe('1.15 KB over');
  });

  it('takes the median of the per-step CPU per delivery ratios', () => {
    // Steps both passed at 25k–130k: 9.12/6.6, 10.13/6.63, 9/6.1, 8.56/5.73, 8.09/5.9, 6.33/5.89.
    const s2 = find(goals, 'parley-ws CPU per delivery');
    expect(s2.figure).toContain('1.43×');
    expect(s2.figure).toContain('6 steps');
    expect(s2.met).toBe(false);
  });

  it('says what was not measured, and why', () => {
    const s1l = find(goals, 'S1L');
    expect(s1l.met).toBeNull();
    expect(s1l.why).toContain('20,000');
    expect(find(goals, 'PostgreSQL').met).toBeNull();
    expect(find(goals, 'S4-scale').met).toBeNull();
    expect(find(goals, 'Reproducible')).toMatchObject({ met: false, by: '2 runs short' });
  });

  it('makes the rows of the newer figures met or missed', () => {
    const copy = structuredClone(full);
    const ws = copy.results['parley-ws'];
    if (!ws?.S3 || !ws.S6) throw new Error('the stored report lost parley-ws S3 or S6');
    const at2000 = ws.S3.steps.find((s) => s.rate === 2000);
    if (!at2000) throw new Error('no S3 step at 2000');
    Object.assign(at2000, { serverEldMaxMs: 42.5, serverEldWindowMs: 9000 });
    Object.assign(ws.S6, { slowCutMs: [2100, 2300, null, 2050, 2200], slowCutMaxMs: 2300 });
    const p3 = { ...at2000, rate: 4000, committedPerSec: 3900 };
    const p4 = { ...at2000, rate: 6000, committedPerSec: 4100 };
    const p5 = { ...at2000, rate: 8000, committedPerSec: 4000 };
    ws.S3P = { users: 5000, steps: [p3, p4, p5], highestCommittedPerSec: 4100, skipped: null };
    const goals = performanceGoals(copy);
    expect(find(goals, 'event-loop pause')).toMatchObject({ met: false, by: '32.5 ms over' });
    expect(find(goals, 'event-loop pause').figure).toContain('over 9 s');
    expect(find(goals, 'within 5 s')).toMatchObject({ met: false, by: '1 never cut' });
    // 4,100 at 6,000 offered; 6,000 and 8,000 both committed under 90 %.
    const pg = find(goals, 'PostgreSQL');
    expect(pg).toMatchObject({ met: false, by: '5900 msg/s short' });
    expect(pg.why).toContain('two steps in a row');
  });

  it('marks every goal not measured on a report with no results', () => {
    const empty = { ...full, results: {}, runs: [] } as BenchReport;
    const rows = performanceGoals(empty).filter((g) => !g.goal.startsWith('Reproducible'));
    expect(rows.every((g) => g.met === null)).toBe(true);
  });

  it('is part of the markdown report', () => {
    expect(renderMarkdown(full)).toContain('## Goals of the performance issue');
  });
});
