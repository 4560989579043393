/**
 * The capacity model (bench/capacity/): traffic, bus fan-out, a process's load and the sizing on hand-computed
 * workloads, and the unit costs read out of a report. Pure arithmetic: no server runs here.
 */
import { describe, expect, it } from 'vitest';
import { parseCapacityCli } from '../../bench/capacity.js';
import {
  DEFAULT_LIMITS,
  busOutPerSec,
  interested,
  plan,
  processLoad,
  saturationPoints,
  traffic,
  type ModelInput,
  type Workload,
} from '../../bench/capacity/model.js';
import { ASSUMED, unitCosts, usPerDeliveryOf, type UnitValues } from '../../bench/capacity/units.js';
import type { BenchReport } from '../../bench/report/types.js';
import type { S2Step, TargetResults } from '../../bench/scenarios/results.js';

// 1,000 users, 10 messages/s in all; rooms of 5 with one member online; a tenth of the messages in rooms of
// 1,000 online; each connection joins 2 rooms and lasts 1,000 s (1 connect/s).
const WORKLOAD: Workload = {
  users: 1000,
  connectionsPerUser: 1,
  messagesPerUserPerSec: 0.01,
  roomMembers: 5,
  onlineShare: 0.2,
  largeRoomMembers: 5000,
  largeRoomMessageShare: 0.1,
  roomsPerUser: 2,
  sessionSeconds: 1000,
  storedBytesPerMessage: 1000,
};

const UNITS: UnitValues = {
  memPerConnBytes: 10_000,
  baseRssBytes: 100_000_000,
  usPerConnect: 1000,
  usPerDelivery: 10,
  usPerPersisted: 100,
  sqliteMaxPersistedPerSec: 20,
  sqliteRateWithinBound: 10,
  postgresCpuFactor: 2,
  postgresMaxPersistedPerSec: 1000,
  usPerBusMessage: 50,
  resumesPerSec: 100,
};

const input = (over: Partial<ModelInput> = {}): ModelInput => ({
  units: UNITS,
  workload: WORKLOAD,
  node: { cores: 2, ramGiB: 1 },
  store: 'postgres',
  routing: 'room',
  ...over,
});

describe('traffic', () => {
  it('counts messages, deliveries, presence and bus messages', () => {
    const t = traffic(WORKLOAD);
    expect(t.messagesPerSec).toBe(10);
    expect(t.recipientsSmall).toBe(1);
    // 5,000 × 0.2 online, but only 1,000 users exist.
    expect(t.recipientsLarge).toBe(1000);
    expect(t.connectsPerSec).toBe(1);
    // A join and a leave in 2 rooms and in the app.
    expect(t.presencePerSec).toBe(6);
    // 10 × (0.9 × 1 + 0.1 × 1,000) messages, and 2 × 2 room presence changes to 1 member.
    expect(t.deliveriesPerSec).toBeCloseTo(1009 + 4, 9);
    expect(t.busInPerSec).toBe(16);
  });
});

describe('bus fan-out', () => {
  it('counts the processes with a member of a room', () => {
    expect(interested(1, 4)).toBeCloseTo(1, 12);
    expect(interested(2, 2)).toBeCloseTo(1.5, 12);
    expect(interested(5, 1)).toBe(1);
    expect(interested(10_000, 8)).toBeCloseTo(8, 9);
  });

  it('hands every bus message to every process all-to-all, and to the interested ones per room', () => {
    const t = traffic(WORKLOAD);
    expect(busOutPerSec(t, WORKLOAD, 1, 'all')).toBe(0);
    expect(busOutPerSec(t, WORKLOAD, 4, 'all')).toBe(64);
    // Messages 10 × (0.9 × 1 + 0.1 × 2), room presence 4 × 1, app presence 2 × 2.
    expect(busOutPerSec(t, WORKLOAD, 2, 'room')).toBeCloseTo(11 + 4 + 4, 9);
  });
});

describe('a process', () => {
  it('adds up deliveries, persistence, connects and the bus, shared over the processes', () => {
    const load = processLoad(input(), 2);
    expect(load.connections).toBe(500);
    expect(load.cpuUs.deliveries).toBeCloseTo((1013 * 10) / 2, 9);
    // PostgreSQL's factor of 2 on 10 × 100 µs.
    expect(load.cpuUs.persist).toBeCloseTo(1000, 9);
    expect(load.cpuUs.connects).toBeCloseTo(500, 9);
    expect(load.cpuUs.bus).toBeCloseTo((19 * 50) / 2, 9);
    expect(load.cpuUs.total).toBeCloseTo(5065 + 1000 + 500 + 475, 9);
    expect(load.rssBytes).toBe(100_000_000 + 500 * 10_000);
  });
});

describe('plan', () => {
  it('takes the fewest nodes whose processes stay within the CPU target', () => {
    // 100 µs per delivery: 101,300 µs/s of deliveries, 2,000 of persistence and 1,000 of connects in all.
    // At 5 % of a core per process (50,000 µs/s) 2 processes are just short (52,150 each): 2 nodes of 2 cores.
    const units = { ...UNITS, usPerDelivery: 100, usPerBusMessage: 0 };
    const limits = { ...DEFAULT_LIMITS, cpuTarget: 0.05 };
    const p = plan(input({ units, limits }));
    expect(p.nodes).toBe(2);
    expect(p.processes).toBe(4);
    expect(p.utilisation['process CPU']).toBeLessThanOrEqual(1);
    expect(p.postgres).toEqual({ writesPerSec: 10, storagePerDayBytes: 10 * 86_400 * 1000, connections: 40 });
    expect(p.utilisation['PostgreSQL connections']).toBeCloseTo(0.4, 9);
    expect(p.redis?.inPerSec).toBe(16);
  });

  it('finds no deployment when the all-to-all bus alone fills every process', () => {
    // 16 bus messages/s at 50,000 µs each: 0.8 of a core in every process, over the 0.7 target.
    const p = plan(input({ units: { ...UNITS, usPerBusMessage: 50_000 }, routing: 'all' }));
    expect(p.nodes).toBeNull();
  });

  it('runs SQLite as one process, and says which limit it is over', () => {
    const p = plan(input({ store: 'sqlite' }));
    expect(p.processes).toBe(1);
    expect(p.redis).toBeNull();
    expect(p.utilisation['SQLite writer']).toBeCloseTo(10 / 20, 9);
    const crowded = plan(
      input({ store: 'sqlite', limits: { ...DEFAULT_LIMITS, maxConnectionsPerProcess: 999 } }),
    );
    expect(crowded.nodes).toBeNull();
    expect(crowded.bottleneck).toBe('connections per process');
  });

  it('gives the time a node takes to resume its clients', () => {
    // 1,000 users over 2 processes, each resuming 100 a second.
    expect(plan(input()).nodeResumeSeconds).toBeCloseTo(5, 9);
  });
});

describe('saturation points', () => {
  it('finds the users at which PostgreSQL writes reach their limit, within 1 %', () => {
    // 0.01 messages per user per second against 1,000 writes/s: 100,000 users.
    const points = saturationPoints(input({ units: { ...UNITS, usPerBusMessage: 0 } }));
    const writes = points.find((p) => p.component === 'PostgreSQL writes');
    expect(writes?.users).toBeGreaterThanOrEqual(100_000);
    expect(writes?.users).toBeLessThanOrEqual(101_000);
    // Sorted: the first to saturate comes first.
    const users = points.map((p) => p.users ?? Infinity);
    expect(users).toEqual([...users].sort((a, b) => a - b));
  });
});

// ------------------------------------------------------------------ unit costs from a report

const cpu = (server: number) => ({ server, loadgen: 10, saturated: 'neither' as const, other: 0, steal: 0 });

function step(offered: number, us: number, pass = true): S2Step {
  return {
    offeredDeliveriesPerSec: offered,
    serverUsPerDelivery: us,
    pass,
    cpu: cpu((offered * us) / 10_000),
  } as unknown as S2Step;
}

function report(startedAt: string, mode: 'full' | 'quick', r: Partial<TargetResults>): BenchReport {
  return {
    run: { startedAt, mode },
    results: { 'parley-ws': { errors: [], seconds: {}, ...r } },
  } as unknown as BenchReport;
}

const s2 = {
  sizes: [
    {
      members: 1000,
      // The 10k step carries fixed costs and the failed step is left out: median of 8, 9, 12.
      steps: [step(10_000, 30), step(25_000, 9), step(50_000, 8), step(80_000, 12), step(100_000, 5, false)],
    },
  ],
} as unknown as TargetResults['S2'];

const s3 = {
  users: 500,
  roomSize: 10,
  maxRateWithinAckBound: 1000,
  steps: [
    // 40 % of a core over 1,000 msg/s: 400 µs a message, less 10 deliveries at 9 µs.
    { rate: 1000, committedPerSec: 1000, deliveriesPerSec: 10_000, cpu: cpu(40) },
    { rate: 2000, committedPerSec: 1500, deliveriesPerSec: 15_000, cpu: { ...cpu(99), saturated: 'server' } },
  ],
} as unknown as TargetResults['S3'];

describe('unit costs', () => {
  it('takes the median CPU per delivery of the passing steps at 25k deliveries/s and over', () => {
    expect(usPerDeliveryOf({ S2: s2 } as TargetResults)?.value).toBe(9);
  });

  it('takes each figure from the newest full run that has it, and assumes the rest', () => {
    const units = unitCosts([
      { label: 'old full', report: report('2026-01-01T00:00:00.000Z', 'full', { S2: s2, S3: s3 }) },
      {
        label: 'new quick',
        report: report('2026-02-01T00:00:00.000Z', 'quick', { S2: { sizes: [] } as TargetResults['S2'] }),
      },
    ]);
    expect(units.usPerDelivery).toMatchObject({ value: 9, measured: true });
    expect(units.usPerDelivery.source).toContain('old full');
    expect(units.usPerPersisted.value).toBeCloseTo(400 - 90, 9);
    expect(units.sqliteMaxPersistedPerSec.value).toBe(1500);
    expect(units.sqliteRateWithinBound.value).toBe(1000);
    expect(units.usPerBusMessage).toMatchObject({ value: ASSUMED.usPerBusMessage.value, measured: false });
  });

  it('lets the command line override a figure', () => {
    const cli = parseCapacityCli(['--unit', 'usPerBusMessage=20', '--workload', 'roomMembers=10', 'a.json']);
    expect(cli.units).toEqual({ usPerBusMessage: 20 });
    expect(cli.workload.roomMembers).toBe(10);
    expect(cli.files).toEqual(['a.json']);
    expect(unitCosts([], 'parley-ws', cli.units).usPerBusMessage).toMatchObject({
      value: 20,
      measured: false,
    });
    expect(() => parseCapacityCli(['--unit', 'nonsense=1'])).toThrow(/names/);
  });
});
