/**
 * S1L large idle capacity: many idle native WebSocket connections (opened and authenticated, in no room) to ONE
 * node, the clients spread over source addresses 127.0.0.1…N so that no address runs out of ephemeral ports.
 * Server RSS and heap with them held (and per connection), connect rate, connect failures by reason, and
 * whether /healthz still answers within 100 ms at that size. Runs on a fresh server of its own (run.ts), so
 * that nothing another scenario left behind counts as the connections' memory.
 */
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { limitProblems, loopbackSources, readConnectionLimits, SPARE_FILES } from '../limits.js';
import { percentile } from '../report/runs.js';
import { CpuWindow, cpuUse, rssBytes } from '../sample.js';
import type { ScenarioContext } from './context.js';
import { targetStats, waitQuiet } from './context.js';
import type { S1LResult } from './results.js';

const HEALTHZ_BOUND_MS = 100;
const HEALTHZ_TIMEOUT_MS = 5000;

/** One GET on a connection of its own (as a load balancer's probe makes it); the round trip in ms. */
function probeOnce(baseUrl: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(`${baseUrl}/healthz`, { agent: false, timeout: HEALTHZ_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) resolve(performance.now() - started);
        else reject(new Error(`status ${res.statusCode ?? '?'}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export async function probeHealthz(baseUrl: string, probes: number): Promise<S1LResult['healthz']> {
  const times: number[] = [];
  let failed = 0;
  // One after the other: each measures the server's answer, not a queue of the probes' own making.
  for (let i = 0; i < probes; i++) {
    try {
      times.push(await probeOnce(baseUrl));
    } catch {
      failed++;
    }
  }
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  const p50 = round(percentile(times, 50));
  const max = round(times.length > 0 ? Math.max(...times) : null);
  return {
    probes,
    failed,
    p50Ms: p50,
    maxMs: max,
    within100Ms: failed === 0 && max !== null && max <= HEALTHZ_BOUND_MS,
  };
}

export async function runS1L(ctx: ScenarioContext): Promise<S1LResult> {
  const cfg = ctx.config.s1l;
  const { target, loadgen } = ctx;
  const sources = loopbackSources(cfg.addresses);
  const limits = readConnectionLimits();
  const problems = limitProblems(cfg.connections, sources.length, limits);
  for (const problem of problems) ctx.log(`S1L warning: ${problem}`);
  // The server and the load generator each hold one descriptor per connection: past the open-files limit
  // every further connect fails with EMFILE, so S1L runs at the largest size the limit allows.
  const files = limits.openFiles.soft;
  const connections =
    files !== null && Number.isFinite(files)
      ? Math.max(1, Math.min(cfg.connections, files - SPARE_FILES))
      : cfg.connections;
  if (connections < cfg.connections) {
    ctx.log(`S1L: ${connections} connections, not ${cfg.connections} (open files limit ${files})`);
  }
  await waitQuiet(target.pids);
  const before = await targetStats(target, { gc: true });
  const window = new CpuWindow([...target.pids, loadgen.pid]);
  window.start();
  const pop = await loadgen.run('populate', {
    pop: 's1l',
    protocol: 'ws',
    urls: target.urls,
    count: connections,
    roomPrefix: 'none',
    roomSize: 1,
    namePrefix: 's1lu',
    concurrency: cfg.concurrency,
    timeoutMs: cfg.timeoutMs,
    join: false,
    sourceAddresses: sources,
  });
  const cpu = cpuUse(window.stop(), target.pids, loadgen.pid, window.cores);
  ctx.log(
    `S1L ${pop.connected}/${connections} connected at ${pop.ratePerSec}/s; failures ${JSON.stringify(pop.errors)}`,
  );
  const settleMs = await waitQuiet(target.pids, 300_000);
  const after = await targetStats(target, { gc: true });
  const loadgenRss = rssBytes(loadgen.pid);
  const healthz = await probeHealthz(target.urls[0] as string, cfg.healthzProbes);
  ctx.log(
    `S1L /healthz with ${pop.connected} held: p50 ${healthz.p50Ms} ms, max ${healthz.maxMs} ms, ${healthz.failed} failed`,
  );
  const { open } = await loadgen.run('count', { pop: 's1l' });
  await loadgen.run('close', { pop: 's1l' });
  const n = Math.max(1, pop.connected);
  return {
    configured: cfg.connections,
    attempted: connections,
    connections: pop.connected,
    failed: pop.failed,
    errors: pop.errors,
    sourceAddresses: sources,
    connectRatePerSec: pop.ratePerSec,
    connectSeconds: Math.round(pop.elapsedMs / 100) / 10,
    handshake: pop.handshake,
    ready: pop.ready,
    settleMs,
    cpu,
    serverBefore: { rss: before.rss, heapUsed: before.heapUsed },
    serverAfter: {
      rss: after.rss,
      heapUsed: after.heapUsed,
      heapTotal: after.heapTotal,
      external: after.external,
    },
    rssPerConn: Math.round((after.rss - before.rss) / n),
    heapPerConn: Math.round((after.heapUsed - before.heapUsed) / n),
    loadgenRss,
    healthz,
    stillOpen: open,
    limits: {
      openFiles: limits.openFiles.soft,
      portRange: limits.portRange ? limits.portRange.join('-') : null,
      somaxconn: limits.somaxconn,
      problems,
    },
  };
}
