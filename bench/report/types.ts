/** The report's JSON document (bench/results/*.json). */
import type { Mode } from '../config.js';
import type { TargetResults } from '../scenarios/results.js';
import type { RunRecord } from './runs.js';
import type { ScenarioName, TargetName } from '../types.js';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  mhz: number;
  memoryGiB: number;
  kernel: string;
  node: string;
}

export interface RunInfo {
  startedAt: string;
  finishedAt: string;
  durationSec: number;
  mode: Mode;
  argv: string[];
  machine: MachineInfo;
  commit: string | null;
  pinned: { server: string | null; loadgen: string | null };
  fdLimit: number | null;
  loadAvgAtStart: number[];
  loadAvgAtEnd: number[];
  sioClient: string;
  targets: TargetName[];
  scenarios: ScenarioName[];
  notes: string[];
}

export interface Ratio {
  scenario: ScenarioName;
  metric: string;
  better: 'higher' | 'lower';
  /** parley-ws/(b), parley-ws/(c), parley-sio/(b), parley-sio/(c); null where a value is missing. */
  values: Record<'ws/b' | 'ws/c' | 'sio/b' | 'sio/c', number | null>;
}

export interface Goal {
  id: string;
  description: string;
  value: string;
  goal: string;
  met: boolean | null;
  margin: string;
}

export interface BenchReport {
  version: 1;
  run: RunInfo;
  results: Partial<Record<TargetName, TargetResults>>;
  ratios: Ratio[];
  goals: Goal[];
  /** Every run of `--runs N` (absent in reports written before it existed); `results` is the last one's. */
  runs?: RunRecord[];
}
