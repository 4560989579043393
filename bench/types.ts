/** Types shared by the benchmark's processes: the orchestrator (run.ts), the servers' hook and the load generator. */
import type { LatencySummary } from './loadgen/hist.js';

export const TARGETS = ['parley-ws', 'parley-sio', 'baseline-sio', 'baseline-ws'] as const;
export type TargetName = (typeof TARGETS)[number];

export const SCENARIOS = [
  'S1',
  'S1L',
  'S2',
  'S3',
  'S3P',
  'S3R',
  'S3W',
  'S4',
  'S4S',
  'S5',
  'S6',
  'A1',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
/** What runs when no --scenario is given: S1L (100,000 connections) needs the operator's limits raised first. */
export const DEFAULT_SCENARIOS: readonly ScenarioName[] = SCENARIOS.filter((s) => s !== 'S1L');

export function isParley(target: TargetName): boolean {
  return target === 'parley-ws' || target === 'parley-sio';
}

/** How the load generator talks to a target. */
export function protocolOf(target: TargetName): 'ws' | 'sio' {
  return target === 'parley-ws' || target === 'baseline-ws' ? 'ws' : 'sio';
}

// ------------------------------------------------------------------ the servers' bench hook (IPC)

export type HookRequest =
  | { hook: 'stats'; id: number; gc?: boolean; resetEld?: boolean }
  | { hook: 'profile-start'; id: number; intervalUs?: number }
  | { hook: 'profile-stop'; id: number; file: string }
  | { hook: 'heap-snapshot'; id: number; file: string };

export interface ServerStats {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  gcExposed: boolean;
  eldP50Ms: number;
  eldP99Ms: number;
  eldMaxMs: number;
}

export interface HookReply {
  hook: 'reply';
  id: number;
  stats?: ServerStats;
  error?: string;
}

// ------------------------------------------------------------------ CPU, as sampled from /proc

export interface CpuUse {
  /** Percent of one core over the window (100 = one core busy). */
  server: number;
  loadgen: number;
  /** Which process was at or near a full core (≥ 90 %), if any. */
  saturated: 'server' | 'loadgen' | 'both' | 'neither';
  /**
   * Percent of a core, summed over all cores, busy with anything but the server and the load generator
   * (other processes, unattributed interrupts), and stolen by the hypervisor. Null where /proc/stat is missing.
   */
  other: number | null;
  steal: number | null;
}

/** A window in which other work took this much of the cores is reported as disturbed. */
export const DISTURBED_PERCENT = 15;

export function disturbed(cpu: CpuUse): boolean {
  return (cpu.other ?? 0) + (cpu.steal ?? 0) >= DISTURBED_PERCENT;
}

export { type LatencySummary };
