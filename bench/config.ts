/** Scenario sizes and timings: `--quick` (routine check, under 2 minutes in all) and full (about 15-25 minutes). */

export type Mode = 'quick' | 'full';

export interface BenchConfig {
  mode: Mode;
  /** A measured step that other processes disturbed is run again at most this many times. */
  retries: number;
  s1: { connections: number; roomSize: number; concurrency: number; timeoutMs: number };
  /**
   * S1L: idle native WebSocket connections (open and authenticated, in no room) to one node, the clients bound
   * to `addresses` source addresses 127.0.0.1…N; then `healthzProbes` /healthz round trips with them held.
   */
  s1l: {
    connections: number;
    addresses: number;
    concurrency: number;
    timeoutMs: number;
    healthzProbes: number;
  };
  s2: {
    sizes: number[];
    /** Offered deliveries per second, tried in order until two steps in a row miss the p99 bound. */
    steps: number[];
    warmupMs: number;
    measureMs: number;
    drainMs: number;
    concurrency: number;
    /** 1: messages are published over the REST API (a site's backend), 0: by a member over its socket. */
    restPublisher: number;
  };
  s3: {
    users: number;
    roomSize: number;
    rates: number[];
    warmupMs: number;
    measureMs: number;
    drainMs: number;
  };
  /** S3P: S3's population and timings on PostgreSQL, at these rates until two steps in a row fall short. */
  s3p: { rates: number[] };
  /** S3R: S3's population, sizes and rates, plus reads and reactions; each rate is run `repeats` times. */
  s3r: { readEvery: number; reactEvery: number; repeats: number };
  s4: {
    members: number;
    rate: number;
    warmupMs: number;
    measureMs: number;
    drainMs: number;
    postgres: boolean;
  };
  /** S4-scale: `rooms` rooms of `roomSize` over three nodes, every `pairEvery`-th room split over two. */
  s4s: {
    rooms: number;
    roomSize: number;
    pairEvery: number;
    rate: number;
    warmupMs: number;
    measureMs: number;
    drainMs: number;
  };
  s5: {
    clients: number;
    roomSize: number;
    rate: number;
    preMs: number;
    maxWaitMs: number;
    postMs: number;
    settleMs: number;
    concurrency: number;
  };
  /** A1: a small chat load, and one address's wrong passwords and connection attempts beside it. */
  a1: {
    users: number;
    roomSize: number;
    rate: number;
    warmupMs: number;
    measureMs: number;
    drainMs: number;
    passwords: number;
    attempts: number;
    inFlight: number;
  };
  s6: {
    members: number;
    /** Every `every`-th member stops reading (20: 5 %). */
    every: number;
    rate: number;
    padChars: number;
    warmupMs: number;
    measureMs: number;
    pauseAtMs: number;
    windowMs: number;
    closeWaitMs: number;
  };
}

/** The bound that defines S2's knee: the highest offered rate with p99 under this. */
export const KNEE_P99_MS = 50;
/** S3's target bound on send→ack p99, and the rate it is checked at. */
export const S3_ACK_P99_MS = 20;
export const S3_TARGET_RATE = 2000;
/** S3R's bound: reads and reactions may cost at most this share of S3's throughput. */
export const S3R_MIN_RATIO = 0.8;
/** S3W's bound: one webhook endpoint receiving every message may cost at most this share of S3's throughput. */
export const S3W_MIN_RATIO = 0.85;
/** S3W: the outbox keeps up when deliveries per second reach this share of the messages per second. */
export const S3W_MIN_DELIVERY_SHARE = 0.9;
/** S3W: how long after a step the bench waits for the outbox to drain before it counts what is left. */
export const S3W_DRAIN_WAIT_MS = 60_000;

const FULL: BenchConfig = {
  mode: 'full',
  retries: 2,
  s1: { connections: 10_000, roomSize: 10, concurrency: 100, timeoutMs: 900_000 },
  s1l: { connections: 100_000, addresses: 8, concurrency: 200, timeoutMs: 1_800_000, healthzProbes: 20 },
  s2: {
    sizes: [100, 1000, 5000],
    steps: [
      10_000, 25_000, 40_000, 50_000, 60_000, 70_000, 80_000, 90_000, 100_000, 115_000, 130_000, 150_000,
    ],
    warmupMs: 1000,
    measureMs: 4000,
    drainMs: 3000,
    concurrency: 100,
    restPublisher: 0,
  },
  s3: {
    users: 5000,
    roomSize: 10,
    rates: [1000, 2000, 3000, 4000],
    warmupMs: 1000,
    measureMs: 5000,
    drainMs: 3000,
  },
  s3p: { rates: [2000, 4000, 6000, 8000, 10_000, 12_000] },
  s3r: { readEvery: 5, reactEvery: 20, repeats: 1 },
  s4: { members: 1000, rate: 20, warmupMs: 1000, measureMs: 5000, drainMs: 3000, postgres: true },
  s4s: {
    rooms: 300,
    roomSize: 10,
    pairEvery: 10,
    rate: 2000,
    warmupMs: 1000,
    measureMs: 5000,
    drainMs: 3000,
  },
  s5: {
    clients: 10_000,
    roomSize: 10,
    rate: 200,
    preMs: 2000,
    maxWaitMs: 60_000,
    postMs: 2000,
    settleMs: 20_000,
    concurrency: 100,
  },
  a1: {
    users: 50,
    roomSize: 10,
    rate: 200,
    warmupMs: 1000,
    measureMs: 5000,
    drainMs: 1000,
    passwords: 200,
    attempts: 3000,
    inFlight: 200,
  },
  s6: {
    members: 100,
    every: 20,
    rate: 40,
    padChars: 16_000,
    warmupMs: 1000,
    measureMs: 20_000,
    pauseAtMs: 4000,
    windowMs: 1000,
    closeWaitMs: 5000,
  },
};

const QUICK: BenchConfig = {
  mode: 'quick',
  retries: 1,
  s1: { connections: 500, roomSize: 10, concurrency: 50, timeoutMs: 60_000 },
  s1l: { connections: 5000, addresses: 2, concurrency: 100, timeoutMs: 300_000, healthzProbes: 10 },
  s2: {
    sizes: [500],
    steps: [30_000, 60_000, 90_000],
    warmupMs: 300,
    measureMs: 1200,
    drainMs: 1000,
    concurrency: 100,
    restPublisher: 0,
  },
  s3: { users: 500, roomSize: 10, rates: [2000], warmupMs: 300, measureMs: 1200, drainMs: 1000 },
  s3p: { rates: [2000, 4000] },
  s3r: { readEvery: 5, reactEvery: 20, repeats: 1 },
  s4: { members: 200, rate: 20, warmupMs: 500, measureMs: 1500, drainMs: 1000, postgres: false },
  s4s: { rooms: 300, roomSize: 4, pairEvery: 10, rate: 2000, warmupMs: 500, measureMs: 2000, drainMs: 1500 },
  s5: {
    clients: 1000,
    roomSize: 10,
    rate: 100,
    preMs: 300,
    maxWaitMs: 15_000,
    postMs: 300,
    settleMs: 5000,
    concurrency: 50,
  },
  a1: {
    users: 50,
    roomSize: 10,
    rate: 200,
    warmupMs: 1000,
    measureMs: 5000,
    drainMs: 1000,
    passwords: 200,
    attempts: 3000,
    inFlight: 200,
  },
  s6: {
    members: 100,
    every: 20,
    rate: 80,
    padChars: 16_000,
    warmupMs: 500,
    measureMs: 3500,
    pauseAtMs: 1000,
    windowMs: 500,
    closeWaitMs: 1500,
  },
};

/** S4S: the most a node may receive of what the cluster publishes (a third, plus presence and control). */
export const S4S_MAX_SHARE_PCT = 40;

export function configFor(mode: Mode): BenchConfig {
  return mode === 'quick' ? QUICK : FULL;
}
