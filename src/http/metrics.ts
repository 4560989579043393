import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EngineMetrics } from '../engine/ports/metrics.js';

export interface Metrics {
  /** The registry served at GET /metrics: Node's default metrics plus Parley's own. */
  registry: Registry;
  /** What the engine reports into (see src/engine/ports/metrics.ts). */
  engine: EngineMetrics;
}

/** Buckets for commit-to-delivery latency: local fan-out is expected in the sub-millisecond to tens of ms range. */
const FANOUT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * A fresh registry with Node's default metrics (process, GC, heap, event-loop lag) and Parley's metrics. Each call
 * makes its own registry, so several servers in one process (tests) never collide on metric names.
 */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const connections = new Gauge({
    name: 'parley_connections',
    help: 'Open authenticated sessions, by transport and protocol dialect',
    labelNames: ['transport', 'dialect'] as const,
    registers: [registry],
  });
  const messagesIn = new Counter({
    name: 'parley_messages_in_total',
    help: 'Messages accepted from clients and server-side publishes',
    registers: [registry],
  });
  const messagesOut = new Counter({
    name: 'parley_messages_out_total',
    help: 'Message events handed to local sessions (one per recipient)',
    registers: [registry],
  });
  const slowConsumers = new Counter({
    name: 'parley_slow_consumers_total',
    help: 'Sessions disconnected because their outbound buffer went over the bound',
    registers: [registry],
  });
  const fanoutLatency = new Histogram({
    name: 'parley_fanout_latency_seconds',
    help: 'Time from commit to the last local recipient being handed a message',
    buckets: FANOUT_BUCKETS,
    registers: [registry],
  });

  // Event-loop delay since the previous scrape, as quantiles. The histogram's timer is unref'd by Node, so it
  // never keeps the process alive.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  new Gauge({
    name: 'parley_event_loop_delay_seconds',
    help: 'Event-loop delay quantiles over the interval since the previous scrape',
    labelNames: ['quantile'] as const,
    registers: [registry],
    collect() {
      const sampled = loopDelay.count > 0;
      this.set({ quantile: '0.5' }, sampled ? loopDelay.percentile(50) / 1e9 : 0);
      this.set({ quantile: '0.99' }, sampled ? loopDelay.percentile(99) / 1e9 : 0);
      loopDelay.reset();
    },
  });

  const engine: EngineMetrics = {
    sessionOpened: (transport, dialect) => connections.inc({ transport, dialect }),
    sessionClosed: (transport, dialect) => connections.dec({ transport, dialect }),
    messageIn: () => messagesIn.inc(),
    messagesOut: (count) => {
      if (count > 0) messagesOut.inc(count);
    },
    fanoutLatency: (ms) => fanoutLatency.observe(Math.max(0, ms) / 1000),
    slowConsumerDisconnected: () => slowConsumers.inc(),
  };

  return { registry, engine };
}
