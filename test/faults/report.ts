import { appendFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

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
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** Open file descriptors of a process (sockets included), from /proc (Linux); this process when omitted. */
export async function openFds(pid?: number): Promise<number> {
  return (await readdir(`/proc/${pid ?? 'self'}/fd`)).length;
}

/** Bytes as MB with one decimal, for a report's numbers. */
export function mb(bytes: number): number {
  return Math.round((bytes / (1024 * 1024)) * 10) / 10;
}

/** True under `npm run chaos`: cases that take minutes run their long form. */
export function chaosRun(): boolean {
  return process.env.PARLEY_CHAOS === '1';
}

/**
 * How long a sustained case runs: PARLEY_FAULT_DURATION_MS when set, else `chaosMs` under `npm run chaos` and
 * `ciMs` in an ordinary test run (where the whole suite must stay short).
 */
export function faultDurationMs(ciMs: number, chaosMs: number): number {
  const fromEnv = Number(process.env.PARLEY_FAULT_DURATION_MS);
  if (Number.isFinite(fromEnv) && fromEnv > 0) return fromEnv;
  return chaosRun() ? chaosMs : ciMs;
}
