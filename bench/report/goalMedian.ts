/**
 * The goals table of a report of several runs (`--runs N`, or reports merged by bench/merge.ts): each goal is
 * judged on the run whose figure is the median over the runs, not on the last run, so that a figure that is
 * noise does not take its verdict from whichever run came last. Of an even count, the worse of the two middle
 * runs is taken: two runs that disagree count as missed, never as met.
 */
import { r2, type IssueGoal } from './goalsBase.js';

/** How many of the runs that judged a goal met it. */
export interface RunsJudged {
  met: number;
  of: number;
}

export type JudgedGoal = IssueGoal & { runs?: RunsJudged };

const keyOf = (g: IssueGoal) => g.key ?? g.goal;

/** Judged at all: met or missed, not "not measured" nor "reported". */
const judged = (g: IssueGoal): g is IssueGoal & { met: boolean } => g.met !== null && g.reported !== true;

/**
 * How bad a run's row is, lower first. A miss with no figure (a reader never cut, a maximum not recorded) is
 * worse than any figure, a pass with none better than any.
 */
function badness(g: IssueGoal & { met: boolean }, better: 'lower' | 'higher'): number {
  if (g.value === undefined) return g.met ? -Infinity : Infinity;
  return better === 'lower' ? g.value : -g.value;
}

/** Large figures (messages per second) whole, small ones (ratios, milliseconds) to two decimals. */
const show = (v: number) => String(Math.abs(v) >= 100 ? Math.round(v) : r2(v));

/** " (median of 3 runs; min–max 19.4–295 ms)", with the runs that missed without a figure. */
function medianNote(rows: IssueGoal[], unit: string): string {
  const values = rows.flatMap((g) => (g.value !== undefined && Number.isFinite(g.value) ? [g.value] : []));
  const parts = [`median of ${rows.length} runs`];
  if (values.length > 0) {
    const [min, max] = [Math.min(...values), Math.max(...values)];
    parts.push(`min–max ${show(min)}–${show(max)}${unit}`);
  }
  const blank = rows.length - values.length;
  if (blank > 0) parts.push(`${blank} without a figure`);
  return ` (${parts.join('; ')})`;
}

/**
 * `own`: the report's rows (its `results`: the last run's, or a merged report's); `perRun`: the same rows worked
 * out on each run's results. Each goal takes the row of its median run, with the figure saying so; a goal no run
 * gave a figure for (not measured, reported only, met or missed with no number) keeps the report's own row.
 */
export function judgeOnMedian(own: IssueGoal[], perRun: IssueGoal[][]): JudgedGoal[] {
  const byKey = perRun.map((rows) => new Map(rows.map((g) => [keyOf(g), g])));
  return own.map((row): JudgedGoal => {
    const rows = byKey.flatMap((m) => {
      const g = m.get(keyOf(row));
      return g && judged(g) ? [g] : [];
    });
    const runs = { met: rows.filter((g) => g.met).length, of: rows.length };
    const better = rows.find((g) => g.value !== undefined)?.better;
    if (!better) return rows.length > 0 ? { ...row, runs } : row;
    // Equal figures: a miss (S5 with a gap, say) ranks worse than a pass.
    const ranked = [...rows].sort((a, b) => {
      const [x, y] = [badness(a, better), badness(b, better)];
      return x < y ? -1 : x > y ? 1 : Number(b.met) - Number(a.met);
    });
    const median = ranked[Math.floor(ranked.length / 2)] as IssueGoal;
    if (ranked.length === 1) return { ...median, runs };
    return { ...median, figure: `${median.figure}${medianNote(ranked, median.unit ?? '')}`, runs };
  });
}
