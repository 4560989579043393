import { appendFileSync } from 'node:fs';

/**
 * One case of the fault and attack suite as docs/reliability.md reports it: what should happen, what did,
 * and the numbers behind it (RSS before, peak and after; time to detect; messages lost).
 */
export interface FaultOutcome {
  /** A stable id, also the test's name prefix, e.g. `F-pipelined-history`. */
  id: string;
  /** The fault or attack, in one line. */
  fault: string;
  expected: string;
  measured: string;
  numbers?: Record<string, number | string>;
}

/**
 * Appends the outcome as one JSON line to the file named by PARLEY_FAULT_REPORT (set by `npm run chaos`);
 * without it (plain `npm test`) the outcome is only asserted, not reported.
 */
export function recordOutcome(outcome: FaultOutcome): void {
  const file = process.env.PARLEY_FAULT_REPORT;
  if (!file) return;
  appendFileSync(file, `${JSON.stringify(outcome)}\n`);
}

/** Resident set size of a process in bytes, from /proc (Linux); the current process when pid is omitted. */
export async function rssBytes(pid?: number): Promise<number> {
  if (pid === undefined) return process.memoryUsage().rss;
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}
