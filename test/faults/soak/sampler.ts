/**
 * Samples each server process every interval: RSS and open descriptors from /proc (Linux), heap used and
 * event-loop delay from the server's own /metrics (the delay gauges cover the time since the previous scrape,
 * so with nobody else scraping one sample covers one interval). Each sample is appended as a JSON line.
 */
import { appendFile, readdir, readFile } from 'node:fs/promises';

export interface Sample {
  /** ms since the soak's load started. */
  t: number;
  node: number;
  pid: number;
  rssBytes: number;
  fds: number;
  heapUsedBytes: number | null;
  /** Over the interval since the previous sample. */
  loopDelayP99Ms: number | null;
  loopDelayMaxMs: number | null;
  connections: number | null;
  /** The machine's 1-minute load average: on a shared machine, what explains a long loop delay. */
  loadAvg1: number;
}

export interface SampledNode {
  pid: number;
  url: string;
}

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

async function loadAvg(): Promise<number> {
  return Number((await readFile('/proc/loadavg', 'utf8')).split(' ')[0]);
}

async function fdsOf(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`)).length;
}

/** The first value of a metric (optionally with one label) in Prometheus text; null when absent. */
export function metricValue(text: string, name: string, label?: string): number | null {
  const pattern = label
    ? new RegExp(`^${name}\\{[^}]*${label}[^}]*\\}\\s+(\\S+)`, 'm')
    : new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+(\\S+)`, 'm');
  const match = pattern.exec(text);
  return match ? Number(match[1]) : null;
}

/** The sum of every series of a metric (e.g. connections over every transport and dialect). */
export function metricSum(text: string, name: string): number | null {
  const pattern = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+(\\S+)`, 'gm');
  let total: number | null = null;
  for (const match of text.matchAll(pattern)) total = (total ?? 0) + Number(match[1]);
  return total;
}

const toMs = (seconds: number | null) => (seconds === null ? null : Math.round(seconds * 1e6) / 1e3);

export async function sampleNode(node: SampledNode, index: number, t: number): Promise<Sample> {
  const [rssBytes, fds, loadAvg1] = await Promise.all([rssOf(node.pid), fdsOf(node.pid), loadAvg()]);
  let text = '';
  try {
    const res = await fetch(`${node.url}/metrics`, { signal: AbortSignal.timeout(5000) });
    text = await res.text();
  } catch {
    // A scrape that times out is itself a finding (the loop was stuck); the /proc numbers still count.
  }
  return {
    t,
    node: index,
    pid: node.pid,
    rssBytes,
    fds,
    heapUsedBytes: metricValue(text, 'nodejs_heap_size_used_bytes'),
    loopDelayP99Ms: toMs(metricValue(text, 'parley_event_loop_delay_p99_seconds')),
    loopDelayMaxMs: toMs(metricValue(text, 'nodejs_eventloop_lag_max_seconds')),
    connections: metricSum(text, 'parley_connections'),
    loadAvg1,
  };
}

export interface Sampler {
  readonly samples: Sample[];
  stop(): Promise<void>;
}

/** Samples every node every `intervalMs` from now until stop(); JSON lines go to `file`. */
export function startSampler(
  nodes: SampledNode[],
  opts: { intervalMs: number; file: string; startedAt: number },
): Sampler {
  const samples: Sample[] = [];
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = (async () => {
      const t = Date.now() - opts.startedAt;
      const taken = await Promise.all(nodes.map((node, i) => sampleNode(node, i, t)));
      samples.push(...taken);
      await appendFile(opts.file, taken.map((s) => `${JSON.stringify(s)}\n`).join(''));
    })().catch((err: unknown) => {
      process.stderr.write(`soak: sampling failed: ${err instanceof Error ? err.message : String(err)}\n`);
    });
  };
  tick();
  const timer = setInterval(tick, opts.intervalMs);
  return {
    samples,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
