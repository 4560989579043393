/**
 * Resource sampling from outside the processes: CPU time and RSS from /proc/<pid>/stat and status (Linux), so
 * that the server and the load generator are measured the same way whatever they run. Heap and event-loop
 * delay come from inside the servers, through the bench hook (servers/hook.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { CpuUse } from './types.js';

let ticksPerSecond: number | null = null;

function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU seconds the process has used so far (0 when it cannot be read). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / clockTicks();
  } catch {
    return 0;
  }
}

/** Resident set size in bytes (0 when it cannot be read). */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function procAvailable(): boolean {
  return cpuSeconds(process.pid) > 0;
}

interface CoreTimes {
  busy: number;
  steal: number;
  total: number;
}

/** Per-core jiffies from /proc/stat: busy (everything but idle and iowait), steal, total. */
export function coreTimes(): Map<number, CoreTimes> {
  const cores = new Map<number, CoreTimes>();
  try {
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const match = /^cpu(\d+)\s+(.*)$/.exec(line);
      if (!match) continue;
      const v = (match[2] as string).split(/\s+/).map(Number);
      // user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user)
      const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
      const busy = user + nice + system + irq + softirq;
      cores.set(Number(match[1]), { busy, steal, total: busy + idle + iowait + steal });
    }
  } catch {
    // not Linux: no per-core numbers
  }
  return cores;
}

/** CPU use of a set of processes between start() and stop(), in percent of one core. */
export class CpuWindow {
  private startedAt = 0;
  private readonly started = new Map<number, number>();
  private coresAtStart = new Map<number, CoreTimes>();
  /** After stop(): per core, percent busy (all processes, interrupts included) and stolen by the hypervisor. */
  cores = new Map<number, { busy: number; steal: number }>();

  constructor(private readonly pids: number[]) {}

  start(): void {
    this.startedAt = performance.now();
    for (const pid of this.pids) this.started.set(pid, cpuSeconds(pid));
    this.coresAtStart = coreTimes();
  }

  /** Percent of one core per pid. */
  stop(): Map<number, number> {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const use = new Map<number, number>();
    for (const pid of this.pids) {
      const spent = cpuSeconds(pid) - (this.started.get(pid) ?? 0);
      use.set(pid, seconds > 0 ? Math.round((spent / seconds) * 1000) / 10 : 0);
    }
    const now = coreTimes();
    this.cores = new Map();
    for (const [core, end] of now) {
      const begin = this.coresAtStart.get(core);
      if (!begin) continue;
      const total = end.total - begin.total;
      if (total <= 0) continue;
      const pct = (x: number) => Math.round((x / total) * 1000) / 10;
      this.cores.set(core, { busy: pct(end.busy - begin.busy), steal: pct(end.steal - begin.steal) });
    }
    return use;
  }
}

/**
 * Server and load generator CPU over a window, which of them was saturated, and how much of the two cores
 * went to everything else (other processes, and interrupts not charged to ours) or was stolen by the
 * hypervisor: a window where that is high was disturbed.
 */
export function cpuUse(
  use: Map<number, number>,
  serverPids: number[],
  loadgenPid: number,
  cores: Map<number, { busy: number; steal: number }> = new Map(),
): CpuUse {
  const server = Math.round(serverPids.reduce((sum, pid) => sum + (use.get(pid) ?? 0), 0) * 10) / 10;
  const loadgen = use.get(loadgenPid) ?? 0;
  // One core each: ≥ 90 % of it is saturated. Two server nodes share one core (S4).
  const serverFull = server >= 90;
  const loadgenFull = loadgen >= 90;
  let busy = 0;
  let steal = 0;
  for (const core of cores.values()) {
    busy += core.busy;
    steal += core.steal;
  }
  return {
    server,
    loadgen,
    saturated:
      serverFull && loadgenFull ? 'both' : serverFull ? 'server' : loadgenFull ? 'loadgen' : 'neither',
    other: cores.size > 0 ? Math.max(0, Math.round((busy - server - loadgen) * 10) / 10) : null,
    steal: cores.size > 0 ? Math.round(steal * 10) / 10 : null,
  };
}

/** Runs `fn` while measuring CPU between the loadgen's 'measure-start' and 'measure-end' marks. */
export async function measured<T>(
  pids: { server: number[]; loadgen: number },
  fn: (onMark: (name: string) => void) => Promise<T>,
): Promise<{ result: T; cpu: CpuUse }> {
  const window = new CpuWindow([...pids.server, pids.loadgen]);
  let use: Map<number, number> | null = null;
  let started = false;
  const result = await fn((name) => {
    if (name === 'measure-start') {
      started = true;
      window.start();
    } else if (name === 'measure-end' && started) use = window.stop();
  });
  if (!use) use = started ? window.stop() : new Map<number, number>();
  return { result, cpu: cpuUse(use, pids.server, pids.loadgen, window.cores) };
}

/** RSS of the given processes every `intervalMs` until stopped (S6: is server memory flat?). */
export class RssSeries {
  private readonly samples: { t: number; rss: number }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;

  constructor(
    private readonly pids: number[],
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    const sample = () =>
      this.samples.push({
        t: Math.round(performance.now() - this.startedAt),
        rss: this.pids.reduce((sum, pid) => sum + rssBytes(pid), 0),
      });
    sample();
    this.timer = setInterval(sample, this.intervalMs);
  }

  stop(): { t: number; rss: number }[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return this.samples;
  }
}
