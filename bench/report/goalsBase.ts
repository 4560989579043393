/** What every row of the goals table is made of (goals.ts), and the helpers that make one. */

export interface IssueGoal {
  goal: string;
  /** What matches the row across runs (goalMedian.ts) when the goal's text embeds a figure; else the text. */
  key?: string;
  figure: string;
  met: boolean | null;
  /** A figure the issue asks to see, with no bound: shown as "reported", neither met nor missed. */
  reported?: boolean;
  /** Over or under the bound, in the goal's own terms; '–' when not measured. */
  by: string;
  why: string;
  /** The figure the verdict is on, which way is better and its unit: what the median over runs ranks. */
  value?: number;
  better?: 'lower' | 'higher';
  unit?: string;
}

export const r1 = (v: number) => Math.round(v * 10) / 10;
export const r2 = (v: number) => Math.round(v * 100) / 100;
export const signed = (v: number, unit: string) => `${v > 0 ? '+' : ''}${v}${unit}`;
export const pct = (v: number) => `${r1(v)} %`;

export function notMeasured(goal: string, why: string): IssueGoal {
  return { goal, figure: 'not measured', met: null, by: '–', why };
}

/** A bound on a figure: met when at or under it (`lower`) or at or over it (`higher`). */
export function bound(
  goal: string,
  figure: string,
  value: number,
  limit: number,
  better: 'lower' | 'higher',
  unit: string,
  why: string,
): IssueGoal {
  const met = better === 'lower' ? value <= limit : value >= limit;
  const diff = better === 'lower' ? value - limit : limit - value;
  return {
    goal,
    figure,
    met,
    by: met
      ? `${r2(Math.abs(diff))}${unit} to spare`
      : `${r2(Math.abs(diff))}${unit} ${better === 'lower' ? 'over' : 'short'}`,
    why,
    value,
    better,
    unit,
  };
}

export function cpuWhy(c: { server: number; loadgen: number; saturated: string } | undefined): string {
  if (!c) return '';
  const who = c.saturated === 'neither' ? 'neither process saturated' : `${c.saturated} saturated`;
  return `server ${pct(c.server)}, load generator ${pct(c.loadgen)} of a core (${who})`;
}
