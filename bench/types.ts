/** Types shared by the benchmark's processes: the orchestrator (run.ts), the servers' hook and the load generator. */
import type { LatencySummary } from './loadgen/hist.js';

/** The seed dialects Parley serves next to its native protocol (src/gateways/dialects.ts). */
export const DIALECTS = ['numeric', 'chatroom', 'eventchat', 'moneypot', 'socketapi'] as const;
export type DialectName = (typeof DIALECTS)[number];

export const TARGETS = [
  'parley-ws',
  'parley-sio',
  'baseline-sio',
  'baseline-ws',
  'parley-numeric',
  'parley-chatroom',
  'parley-eventchat',
  'parley-moneypot',
  'parley-socketapi',
] as const;
export type TargetName = (typeof TARGETS)[number];

/**
 * What runs when no --target is given. The dialect targets are S2 only and add five Parley servers (about as
 * long again as the rest of an S2 run): they run when named (docs/benchmarks.md, "Dialects").
 */
export const DEFAULT_TARGETS: readonly TargetName[] = [
  'parley-ws',
  'parley-sio',
  'baseline-sio',
  'baseline-ws',
];

/** The dialect a target's clients speak, or null for the native protocol and the baselines. */
export function dialectOf(target: TargetName): DialectName | null {
  const name = target.startsWith('parley-') ? target.slice('parley-'.length) : '';
  return (DIALECTS as readonly string[]).includes(name) ? (name as DialectName) : null;
}

/** The scenarios a dialect target takes part in: fan-out through the dialect's receiving side. */
export const DIALECT_SCENARIOS: readonly ScenarioName[] = ['S2'];

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
  return target.startsWith('parley-');
}

/** The framing under a target: plain WebSocket or socket.io (a dialect's, for the dialect targets). */
export function protocolOf(target: TargetName): 'ws' | 'sio' {
  switch (target) {
    case 'parley-ws':
    case 'baseline-ws':
    case 'parley-numeric':
    case 'parley-chatroom':
      return 'ws';
    default:
      return 'sio';
  }
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
