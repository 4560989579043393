import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StorageHealthView } from '../engine/api.js';
import type { EngineMetrics } from '../engine/ports/metrics.js';
import { createLiveStats, type LiveStats } from './liveStats.js';

export interface Metrics {
  /** The registry served at GET /metrics: Node's default metrics plus Parley's own. */
  registry: Registry;
  /** What the engine reports into (see src/engine/ports/metrics.ts). */
  engine: EngineMetrics;
  /** The admin console's per-second feed (liveStats.ts), fed by the same engine calls. */
  live: LiveStats;
  /** Storage health and the SQLite WAL, read from `source` at each scrape (before it is set: healthy, no WAL). */
  watchStorage(source: () => StorageHealthView): void;
  /** parley_password_hashes_total, read from `total` (the password hashes computed so far) at each scrape. */
  watchPasswordHashes(total: () => number): void;
}

/** Buckets for commit-to-delivery latency: local fan-out is expected in the sub-millisecond to tens of ms range. */
const FANOUT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Buckets for send-to-ack latency: a store commit is in it, so a few ms on SQLite, more on PostgreSQL. */
const SEND_ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

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
  const busReceived = new Counter({
    name: 'parley_bus_messages_received_total',
    help: 'Messages received from the other nodes over the bus (only the rooms and apps this node serves)',
    registers: [registry],
  });
  const busPublished = new Counter({
    name: 'parley_bus_messages_published_total',
    help: 'Messages this node published on the bus (each once, on its room, app or cluster channel)',
    registers: [registry],
  });
  const fanoutLatency = new Histogram({
    name: 'parley_fanout_latency_seconds',
    help: 'Time from commit to the last local recipient being handed a message',
    buckets: FANOUT_BUCKETS,
    registers: [registry],
  });

  // Event-loop delay since the previous scrape: the median, the 99th percentile and the maximum, one gauge
  // each (a `quantile` label belongs to summaries only). The histogram's timer is unref'd by Node, so it never
  // keeps the process alive. The p99 gauge's collect runs last of the three and starts the next interval.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const delayGauge = (name: string, help: string, read: () => number, last = false) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(loopDelay.count > 0 ? read() / 1e9 : 0);
        if (last) loopDelay.reset();
      },
    });
  delayGauge(
    'parley_event_loop_delay_p50_seconds',
    'Event-loop delay, median since the previous scrape',
    () => loopDelay.percentile(50),
  );
  delayGauge(
    'parley_event_loop_delay_max_seconds',
    'Event-loop delay, maximum since the previous scrape',
    () => loopDelay.max,
  );
  delayGauge(
    'parley_event_loop_delay_p99_seconds',
    'Event-loop delay, 99th percentile since the previous scrape',
    () => loopDelay.percentile(99),
    true,
  );

  const sendAckLatency = new Histogram({
    name: 'parley_send_ack_latency_seconds',
    help: 'Time from a message entering the post pipeline to its answer to the sender, commit included',
    buckets: SEND_ACK_BUCKETS,
    registers: [registry],
  });

  const live = createLiveStats();
  const engine: EngineMetrics = {
    sessionOpened: (transport, dialect) => connections.inc({ transport, dialect }),
    sessionClosed: (transport, dialect) => connections.dec({ transport, dialect }),
    messageIn: (appId, room) => {
      messagesIn.inc();
      live.messageIn(appId, room);
    },
    messagesOut: (count) => {
      if (count > 0) messagesOut.inc(count);
      live.messagesOut(count);
    },
    fanoutLatency: (ms) => {
      fanoutLatency.observe(Math.max(0, ms) / 1000);
      live.fanoutLatency(ms);
    },
    sendAckLatency: (ms) => {
      sendAckLatency.observe(Math.max(0, ms) / 1000);
      live.sendAckLatency(ms);
    },
    slowConsumerDisconnected: () => slowConsumers.inc(),
    busReceived: () => busReceived.inc(),
    busPublished: () => busPublished.inc(),
  };

  let storage: (() => StorageHealthView) | null = null;
  registerStorageMetrics(registry, () => storage?.() ?? null);
  // What a flood of password guesses costs: each hash is tens of milliseconds of a core.
  let hashes: (() => number) | null = null;
  let hashesCounted = 0;
  new Counter({
    name: 'parley_password_hashes_total',
    help: 'Password hashes computed (scrypt): registrations, logins, password sign-ins, failed ones included',
    registers: [registry],
    collect() {
      const total = hashes?.() ?? 0;
      if (total <= hashesCounted) return;
      this.inc(total - hashesCounted);
      hashesCounted = total;
    },
  });
  return {
    registry,
    engine,
    live,
    watchStorage: (source) => {
      storage = source;
    },
    watchPasswordHashes: (total) => {
      hashes = total;
    },
  };
}

/**
 * parley_storage_healthy, parley_storage_outages_total and, for SQLite, the WAL's size and its checkpoints
 * (docs/deploy.md gives the alert thresholds). The store keeps running totals; the counters catch up with
 * them at each scrape.
 */
function registerStorageMetrics(registry: Registry, read: () => StorageHealthView | null): void {
  const gauge = (name: string, help: string, value: (view: StorageHealthView) => number | null) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const view = read();
        const measured = view === null ? null : value(view);
        if (measured !== null) this.set(measured);
      },
    });
  const counter = (name: string, help: string, total: (view: StorageHealthView) => number | null) => {
    let counted = 0;
    return new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const view = read();
        const measured = view === null ? null : total(view);
        if (measured === null || measured <= counted) return;
        this.inc(measured - counted);
        counted = measured;
      },
    });
  };
  gauge(
    'parley_storage_healthy',
    '1 while storage can commit, 0 after a failed write until a probe commits',
    (v) => (v.healthy ? 1 : 0),
  );
  counter('parley_storage_outages_total', 'Times storage went from healthy to unhealthy', (v) => v.outages);
  const wal = (pick: (stats: NonNullable<StorageHealthView['wal']>) => number) => (v: StorageHealthView) =>
    v.wal === null ? null : pick(v.wal);
  gauge(
    'parley_sqlite_wal_bytes',
    'Size of the SQLite -wal file after the last checkpoint',
    wal((w) => w.walBytes),
  );
  counter(
    'parley_sqlite_checkpoints_total',
    'Background WAL checkpoints attempted',
    wal((w) => w.checkpoints),
  );
  counter(
    'parley_sqlite_checkpoints_busy_total',
    'Background WAL checkpoints cut short by a reader holding an old snapshot (a backup)',
    wal((w) => w.busyCheckpoints),
  );
  counter(
    'parley_sqlite_checkpoints_failed_total',
    'Background WAL checkpoints that failed with an error (disk full, I/O error)',
    wal((w) => w.failedCheckpoints),
  );
}
