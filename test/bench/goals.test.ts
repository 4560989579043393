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

  it('marks every goal not measured on a report with no results', () => {
    const empty = { ...full, results: {}, runs: [] } as BenchReport;
    const rows = performanceGoals(empty).filter((g) => !g.goal.startsWith('Reproducible'));
    expect(rows.every((g) => g.met === null)).toBe(true);
  });

  it('is part of the markdown report', () => {
    expect(renderMarkdown(full)).toContain('## Goals of the performance issue');
  });
});
