/**
 * One soak run: start the servers, connect the population, let it act for the given time while sampling the
 * servers, then stop acting, let every delivery land, and judge (exactly once; flat resources).
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { REPO_ROOT } from '../../../bench/proc.js';
import { SoakCounters } from './counters.js';
import { judgeNode, type NodeVerdict } from './flatness.js';
import { Ledger, type LedgerVerdict } from './ledger.js';
import { metricValue, startSampler, type Sample } from './sampler.js';
import { startPausing, type Pauser } from './pauser.js';
import { startCluster, type SoakCluster } from './servers.js';
import { SlowReader } from './slowReader.js';
import { TypedActor } from './typedActor.js';

export interface SoakOptions {
  durationMs: number;
  nodes: number;
  clients: number;
  slowReaders: number;
  rooms: number;
  /** Target messages per second over the whole population. */
  ratePerSec: number;
  sampleMs: number;
  /** Samples before this are left out of the flatness verdict. */
  warmupMs: number;
  /** Stop one node now and then (SIGSTOP, then SIGCONT): which one (0-based), how long and how often. */
  pause?: { node: number; pauseMs: number; everyMs: number };
  /** Where the JSON-lines samples go. */
  samplesFile: string;
  log: (line: string) => void;
}

export interface NodeTotals {
  node: number;
  messagesIn: number | null;
  messagesOut: number | null;
  slowConsumers: number | null;
}

export interface SoakResult {
  options: Omit<SoakOptions, 'log' | 'samplesFile'>;
  storage: string;
  startedAt: string;
  loadMs: number;
  commit: string;
  nodeVersion: string;
  cores: number;
  counters: SoakCounters;
  delivery: LedgerVerdict;
  nodes: (NodeVerdict | null)[];
  totals: NodeTotals[];
  samples: Sample[];
  /** Whether every client was connected and reading again before the deliveries were counted. */
  drainedReady: boolean;
  /** Server processes that exited during the run (a crash), with their output's tail. */
  crashes: string[];
  /** How many times a node was paused (with the `pause` option). */
  pauses: number;
}

const SEND_SHARE = 0.4;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(250);
  }
  return true;
}

function commitOf(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function totalsOf(cluster: SoakCluster): Promise<NodeTotals[]> {
  return Promise.all(
    cluster.nodes.map(async (node, i) => {
      const text = await fetch(`${node.url}/metrics`)
        .then((r) => r.text())
        .catch(() => '');
      return {
        node: i,
        messagesIn: metricValue(text, 'parley_messages_in_total'),
        messagesOut: metricValue(text, 'parley_messages_out_total'),
        slowConsumers: metricValue(text, 'parley_slow_consumers_total'),
      };
    }),
  );
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  // Read before the run: the tree may move on while it lasts, and the report names what was measured.
  const commit = commitOf();
  const cluster = await startCluster(opts.nodes);
  const crashes: string[] = [];
  let stopping = false;
  cluster.nodes.forEach((node, i) => {
    void node.exited.then((code) => {
      if (!stopping) crashes.push(`node ${i} exited with ${String(code)}:\n${node.output().slice(-2000)}`);
    });
  });
  const ledger = new Ledger();
  const counters = new SoakCounters();
  const rooms = Array.from({ length: opts.rooms }, (_, i) => `soak-room-${i}`);
  const urls = cluster.nodes.map((n) => n.url);
  const meanTickMs = 1000 / (opts.ratePerSec / opts.clients / SEND_SHARE);
  const actors = Array.from({ length: opts.clients }, (_, i) => {
    const home = [rooms[i % rooms.length] as string];
    if (i % 2 === 1) home.push(rooms[(i * 7 + 3) % rooms.length] as string);
    return new TypedActor(
      {
        name: `soak-user-${i}-n${(i % urls.length) + 1}`,
        url: urls[i % urls.length] as string,
        transport: i % 3 === 2 ? 'socket.io' : 'ws',
        rooms,
        home: [...new Set(home)],
        meanTickMs,
      },
      ledger,
      counters,
    );
  });
  const pauseMs = Math.min(30_000, opts.durationMs / 8);
  const readers = Array.from(
    { length: opts.slowReaders },
    (_, k) =>
      new SlowReader(
        {
          name: `soak-slow-${k}-n${(k % urls.length) + 1}`,
          url: urls[k % urls.length] as string,
          room: rooms[k % rooms.length] as string,
          readMs: pauseMs * 2,
          pauseMs,
        },
        ledger,
        counters,
      ),
  );
  try {
    await cluster.createRooms(rooms);
    await inBatches(actors, 10, (a) => a.start());
    await Promise.all(readers.map((r) => r.start()));
    opts.log(
      `${actors.length} clients and ${readers.length} slow readers connected on ${opts.nodes} node(s)`,
    );

    const startedAt = Date.now();
    const sampler = startSampler(cluster.nodes, {
      intervalMs: opts.sampleMs,
      file: opts.samplesFile,
      startedAt,
    });
    const pausedNode = opts.pause ? cluster.nodes[opts.pause.node] : undefined;
    if (opts.pause && !pausedNode) throw new Error(`there is no node ${opts.pause.node} to pause`);
    const pauser: Pauser | null =
      opts.pause && pausedNode ? startPausing(pausedNode.pid, { ...opts.pause, log: opts.log }) : null;
    while (Date.now() - startedAt < opts.durationMs && crashes.length === 0) {
      await sleep(Math.min(60_000, opts.durationMs - (Date.now() - startedAt)));
      const last = sampler.samples.slice(-opts.nodes);
      const mem = last.map((s) => `${Math.round(s.rssBytes / 2 ** 20)}MB/${s.fds}fd`).join(' ');
      opts.log(
        `${Math.round((Date.now() - startedAt) / 1000)} s: ${ledger.ackedCount} acked, ${mem}, counts ${JSON.stringify(counters.counts)}`,
      );
    }
    const loadMs = Date.now() - startedAt;
    pauser?.stop();

    await Promise.all(actors.map((a) => a.quiesce()));
    for (const reader of readers) reader.quiesce();
    opts.log('load stopped; draining');
    const allReady = await waitUntil(
      () => actors.every((a) => a.ready) && readers.every((r) => r.ready),
      60_000,
    );
    if (!allReady) opts.log('drain: not every client was connected again within 60 s');
    // Deliveries still on their way land within seconds; wait until two looks 2 s apart agree.
    for (let i = 0, before = -1; i < 30 && ledger.deliveredCount !== before; i++) {
      before = ledger.deliveredCount;
      await sleep(2000);
    }
    opts.log('drained');
    const delivery = ledger.verdict(Date.now());
    const totals = await totalsOf(cluster);
    await sampler.stop();

    const samples = sampler.samples;
    return {
      options: {
        durationMs: opts.durationMs,
        nodes: opts.nodes,
        clients: opts.clients,
        slowReaders: opts.slowReaders,
        rooms: opts.rooms,
        ratePerSec: opts.ratePerSec,
        sampleMs: opts.sampleMs,
        warmupMs: opts.warmupMs,
        ...(opts.pause ? { pause: opts.pause } : {}),
      },
      storage: cluster.storage,
      startedAt: new Date(startedAt).toISOString(),
      loadMs,
      commit,
      nodeVersion: process.version,
      cores: availableParallelism(),
      counters,
      delivery,
      nodes: cluster.nodes.map((_, i) => judgeNode(samples, i, opts.warmupMs)),
      totals,
      samples,
      drainedReady: allReady,
      crashes,
      pauses: pauser?.count ?? 0,
    };
  } finally {
    stopping = true;
    for (const actor of actors) actor.close(Date.now());
    for (const reader of readers) reader.close(Date.now());
    await cluster.stop();
    opts.log('servers stopped');
  }
}
