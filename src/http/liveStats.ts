/**
 * The admin console's metrics feed: once a second, what this node did in that second (messages in and out,
 * send→ack and fan-out latency percentiles, event-loop delay, the busiest rooms) and what it holds (sessions,
 * live rooms), kept for the last five minutes. The engine reports into it through the metrics port (metrics.ts
 * tees its calls here); GET /api/v1/admin/stats reads it. Prometheus keeps the long-term series: this is only
 * what a person watching the dashboard needs, with no scrape interval to set up.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Percentiles, RoomActivity, StatsSample } from './statsSample.js';

export type { Percentiles, RoomActivity, StatsSample } from './statsSample.js';

/** One sample a second. */
export const STATS_INTERVAL_MS = 1000;
/** Five minutes of samples. */
export const STATS_SAMPLES_KEPT = 300;
/** Latencies kept per interval for the percentiles: past this, a uniform sample of them (reservoir). */
const LATENCIES_KEPT = 2048;
/** The busiest rooms of each interval, most messages first. */
export const TOP_ROOMS = 10;

export interface LiveStatsRecorder {
  messageIn(appId: number, room: string): void;
  messagesOut(count: number): void;
  fanoutLatency(ms: number): void;
  sendAckLatency(ms: number): void;
}

export interface LiveStats extends LiveStatsRecorder {
  /** Starts sampling (idempotent); `holdings` reads the node's sessions and live rooms at each sample. */
  start(holdings: () => { sessions: number; rooms: number }): void;
  stop(): void;
  /** The kept samples after `since` (ms since the epoch), oldest first. */
  samples(since?: number): StatsSample[];
}

/** Latencies of one interval: every one up to LATENCIES_KEPT, then a uniform sample (Algorithm R). */
class Reservoir {
  private values: number[] = [];
  private seen = 0;
  /** The true maximum, which a sample could miss. */
  private max = 0;

  add(value: number): void {
    this.seen += 1;
    this.max = Math.max(this.max, value);
    if (this.values.length < LATENCIES_KEPT) {
      this.values.push(value);
      return;
    }
    const slot = Math.floor(Math.random() * this.seen);
    if (slot < LATENCIES_KEPT) this.values[slot] = value;
  }

  /** The interval's percentiles, and a fresh interval. */
  take(): Percentiles | null {
    const sorted = this.values.sort((a, b) => a - b);
    const max = this.max;
    this.values = [];
    this.seen = 0;
    this.max = 0;
    if (sorted.length === 0) return null;
    const at = (p: number) =>
      round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0);
    return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(max) };
  }
}

/** Three decimals of a millisecond are all a chart shows. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function loopDelay(histogram: IntervalHistogram): Percentiles {
  const ms = (ns: number) => (histogram.count > 0 ? round(ns / 1e6) : 0);
  const view = {
    p50: ms(histogram.percentile(50)),
    p95: ms(histogram.percentile(95)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
  };
  histogram.reset();
  return view;
}

export function createLiveStats(): LiveStats {
  let messagesIn = 0;
  let messagesOut = 0;
  let perRoom = new Map<string, RoomActivity>();
  const sendAck = new Reservoir();
  const fanout = new Reservoir();
  // Its own histogram: the Prometheus gauges reset theirs at each scrape (metrics.ts).
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const kept: StatsSample[] = [];
  let timer: NodeJS.Timeout | null = null;
  let last = 0;

  const sample = (holdings: { sessions: number; rooms: number }): StatsSample => {
    const now = Date.now();
    const seconds = Math.max(0.001, (now - last) / 1000);
    last = now;
    const topRooms = [...perRoom.values()].sort((a, b) => b.messages - a.messages).slice(0, TOP_ROOMS);
    const taken: StatsSample = {
      at: now,
      connections: holdings.sessions,
      rooms: holdings.rooms,
      messagesInPerSecond: round(messagesIn / seconds),
      messagesOutPerSecond: round(messagesOut / seconds),
      sendAckMs: sendAck.take(),
      fanoutMs: fanout.take(),
      eventLoopDelayMs: loopDelay(delay),
      topRooms,
    };
    messagesIn = 0;
    messagesOut = 0;
    perRoom = new Map();
    return taken;
  };

  return {
    messageIn(appId, room) {
      messagesIn += 1;
      const key = `${appId}/${room}`;
      const entry = perRoom.get(key);
      if (entry) entry.messages += 1;
      else perRoom.set(key, { appId, room, messages: 1 });
    },
    messagesOut(count) {
      messagesOut += count;
    },
    fanoutLatency: (ms) => fanout.add(Math.max(0, ms)),
    sendAckLatency: (ms) => sendAck.add(Math.max(0, ms)),
    start(holdings) {
      if (timer) return;
      delay.enable();
      last = Date.now();
      timer = setInterval(() => {
        kept.push(sample(holdings()));
        if (kept.length > STATS_SAMPLES_KEPT) kept.shift();
      }, STATS_INTERVAL_MS);
      // A feed for people watching: it never keeps the process alive.
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      delay.disable();
    },
    samples(since) {
      return since === undefined ? [...kept] : kept.filter((s) => s.at > since);
    },
  };
}
