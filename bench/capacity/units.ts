/**
 * Per-core unit costs for the capacity model, read out of benchmark reports: what one Parley server process
 * (one core of the benchmark machine) spends per idle connection, per delivery, per persisted message, per bus
 * message, and how fast it connects and resumes clients. Each figure says where it comes from (scenario, target,
 * run); a figure no report has falls back to a stated assumption, marked as such, so the model always runs and
 * the reader always knows what was measured.
 */
import type { S2Size, TargetResults } from '../scenarios/results.js';
import type { BenchReport } from '../report/types.js';
import type { TargetName } from '../types.js';

export interface UnitCost {
  value: number;
  /** Measured in a report, or an assumption (then `source` says what it rests on). */
  measured: boolean;
  source: string;
}

export interface UnitCosts {
  /** Server RSS per idle connection, bytes (S1, or S1L when a report has it). */
  memPerConnBytes: UnitCost;
  /** Server RSS with no client connected, bytes (S1: before the first connection). */
  baseRssBytes: UnitCost;
  /** Server CPU per connection set up (WebSocket handshake, auth, join), µs (S1). */
  usPerConnect: UnitCost;
  /** Server CPU per message written to one member's socket, µs (S2). */
  usPerDelivery: UnitCost;
  /** Server CPU per message received, persisted and acknowledged, its deliveries taken out, µs (S3). */
  usPerPersisted: UnitCost;
  /** Highest committed messages per second one node reached on SQLite (S3, best step). */
  sqliteMaxPersistedPerSec: UnitCost;
  /** Highest S3 rate whose send→ack p99 stayed within the S3 bound (SQLite). */
  sqliteRateWithinBound: UnitCost;
  /** Server CPU on PostgreSQL over on SQLite at the same fan-out (S4: one node each). */
  postgresCpuFactor: UnitCost;
  /** Highest persisted messages per second on PostgreSQL (all nodes together). */
  postgresMaxPersistedPerSec: UnitCost;
  /** Server CPU per bus message a process receives (or publishes), µs (S4: two nodes over one). */
  usPerBusMessage: UnitCost;
  /** Clients resumed per second after a network cut (S5: 95 % of the clients over the time to 95 %). */
  resumesPerSec: UnitCost;
}

export type UnitName = keyof UnitCosts;

/** What the model falls back to when no report measured a figure. */
export const ASSUMED: Record<UnitName, { value: number; why: string }> = {
  memPerConnBytes: { value: 9 * 1024, why: 'assumed: S1 of 2026-11-22 (8.8 KB)' },
  baseRssBytes: { value: 170 * 2 ** 20, why: 'assumed: S1 of 2026-11-22 (164 MB)' },
  usPerConnect: { value: 460, why: 'assumed: S1 of 2026-11-22' },
  usPerDelivery: { value: 9, why: 'assumed: S2 of 2026-11-22, 1,000 members' },
  usPerPersisted: { value: 230, why: 'assumed: S3 of 2026-11-22 at 2,000 msg/s' },
  sqliteMaxPersistedPerSec: { value: 3266, why: 'assumed: S3 of 2026-11-22' },
  sqliteRateWithinBound: { value: 1000, why: 'assumed: S3 of 2026-11-22' },
  postgresCpuFactor: { value: 1, why: 'assumed: no PostgreSQL run; as on SQLite' },
  postgresMaxPersistedPerSec: {
    value: 10_000,
    why: 'assumed: the issue goal (10k msg/s), not measured yet',
  },
  usPerBusMessage: { value: 123, why: 'assumed: the bus probe of 2026-12-03 (bench/capacity/busProbe.ts)' },
  resumesPerSec: { value: 2000, why: 'assumed: S5 of 2026-11-22' },
};

/** S2 steps at lower rates carry the process's fixed costs (timers, GC of an idle heap) over few deliveries. */
const S2_MIN_OFFERED = 25_000;
/** The S2 room whose per-delivery cost the model takes: big enough that the one persist per message vanishes. */
const S2_PREFERRED_MEMBERS = 1000;

export interface Sourced {
  /** A short name for the report: its start time and mode, e.g. "2026-11-22T03:44Z full". */
  label: string;
  report: BenchReport;
}

export function labelOf(report: BenchReport): string {
  return `${report.run.startedAt.replace(/:\d\d\.\d+Z$/, 'Z')} ${report.run.mode}`;
}

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;
const cpuUs = (percent: number) => percent * 10_000;

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

type Found = { value: number; source: string } | null;
type Finder = (r: TargetResults) => Found;

function s2Size(r: TargetResults): S2Size | null {
  const sizes = r.S2?.sizes ?? [];
  return (
    sizes.find((s) => s.members === S2_PREFERRED_MEMBERS) ??
    [...sizes].sort((a, b) => b.members - a.members).find((s) => s.members <= S2_PREFERRED_MEMBERS) ??
    null
  );
}

export function usPerDeliveryOf(r: TargetResults): Found {
  const size = s2Size(r);
  if (!size) return null;
  const steps = size.steps.filter(
    (s) => s.pass && s.cpu.saturated === 'neither' && s.offeredDeliveriesPerSec >= S2_MIN_OFFERED,
  );
  const value = median(steps.map((s) => s.serverUsPerDelivery));
  if (value === null) return null;
  return {
    value: round(value, 2),
    source: `S2, ${size.members} members: median of ${steps.length} passing, unsaturated steps ≥ ${S2_MIN_OFFERED / 1000}k deliveries/s`,
  };
}

/** The busiest S3 step on which neither process was saturated: its CPU per message, less its deliveries. */
export function usPerPersistedOf(r: TargetResults): Found {
  const perDelivery = usPerDeliveryOf(r);
  const steps = (r.S3?.steps ?? []).filter((s) => s.cpu.saturated === 'neither' && s.committedPerSec > 0);
  const step = steps.sort((a, b) => b.committedPerSec - a.committedPerSec)[0];
  if (!step || !perDelivery) return null;
  const perMessage = cpuUs(step.cpu.server) / step.committedPerSec;
  const deliveries = step.deliveriesPerSec / step.committedPerSec;
  return {
    value: round(Math.max(0, perMessage - deliveries * perDelivery.value)),
    source:
      `S3 at ${step.rate} msg/s: ${round(perMessage)} µs of server CPU per message, less its ` +
      `${round(deliveries)} deliveries at the S2 cost`,
  };
}

const FINDERS: Partial<Record<UnitName, Finder>> = {
  memPerConnBytes: (r) => {
    if (r.S1L && r.S1L.connections > 0 && r.S1L.rssPerConn > 0) {
      return {
        value: r.S1L.rssPerConn,
        source: `S1L: ${r.S1L.connections} idle connections held`,
      };
    }
    if (!r.S1 || r.S1.rssPerConn <= 0) return null;
    return { value: r.S1.rssPerConn, source: `S1: ${r.S1.connections} idle connections in rooms of 10` };
  },
  baseRssBytes: (r) =>
    r.S1 ? { value: r.S1.serverBefore.rss, source: 'S1: server RSS before the first connection' } : null,
  usPerConnect: (r) =>
    r.S1 && r.S1.connectRatePerSec > 0
      ? {
          value: round(cpuUs(r.S1.cpu.server) / r.S1.connectRatePerSec),
          source: `S1: ${r.S1.cpu.server} % of a core at ${r.S1.connectRatePerSec} connect+auth+join/s`,
        }
      : null,
  usPerDelivery: (r) => usPerDeliveryOf(r),
  usPerPersisted: (r) => usPerPersistedOf(r),
  sqliteMaxPersistedPerSec: (r) =>
    r.S3
      ? {
          value: Math.max(0, ...r.S3.steps.map((s) => s.committedPerSec)),
          source: `S3: best committed messages/s (${r.S3.users} users, rooms of ${r.S3.roomSize})`,
        }
      : null,
  sqliteRateWithinBound: (r) =>
    r.S3 && r.S3.maxRateWithinAckBound !== null
      ? { value: r.S3.maxRateWithinAckBound, source: 'S3: highest rate with send→ack p99 within the bound' }
      : null,
  postgresCpuFactor: (r) => {
    const one = r.S4?.oneNode;
    const pg = r.S4?.onePostgres;
    if (!one || !pg || one.cpu.server <= 0) return null;
    return {
      value: round(pg.cpu.server / one.cpu.server, 2),
      source: `S4: one node on PostgreSQL ${pg.cpu.server} % against ${one.cpu.server} % on SQLite, ${r.S4?.rate ?? '?'} msg/s to ${r.S4?.members ?? '?'}`,
    };
  },
  usPerBusMessage: (r) => {
    const s4 = r.S4;
    if (!s4?.oneNode || !s4.twoNodes || s4.rate <= 0) return null;
    // Each message is published once and Redis hands it to both nodes' subscriptions (its origin included).
    const busPerSec = s4.rate * 2;
    const extra = cpuUs(s4.twoNodes.cpu.server - s4.oneNode.cpu.server);
    if (extra <= 0) return null;
    return {
      value: round(extra / busPerSec),
      source:
        `S4: two nodes' CPU (${s4.twoNodes.cpu.server} %) over one node's (${s4.oneNode.cpu.server} %) at ${s4.rate} msg/s, ` +
        `over ${busPerSec} bus messages/s: an upper bound (the second process's own idle work and the second framing count in it)`,
    };
  },
  resumesPerSec: (r) => {
    const s5 = r.S5;
    if (!s5 || s5.t95Ms === null || s5.t95Ms <= 0) return null;
    return {
      value: Math.round((0.95 * s5.clients) / (s5.t95Ms / 1000)),
      source: `S5: 95 % of ${s5.clients} clients resumed in ${round(s5.t95Ms / 1000)} s`,
    };
  },
};

/**
 * The unit costs of `target` from the reports given: each figure from the newest full run that has it, else
 * from the newest quick run (smaller populations, noisier); `overrides` replace any of them.
 */
export function unitCosts(
  reports: readonly Sourced[],
  target: TargetName = 'parley-ws',
  overrides: Partial<Record<UnitName, number>> = {},
): UnitCosts {
  const fullFirst = (r: Sourced) => (r.report.run.mode === 'full' ? 0 : 1);
  const newestFirst = [...reports].sort(
    (a, b) => fullFirst(a) - fullFirst(b) || b.report.run.startedAt.localeCompare(a.report.run.startedAt),
  );
  const pick = (name: UnitName): UnitCost => {
    const override = overrides[name];
    if (override !== undefined)
      return { value: override, measured: false, source: 'given on the command line' };
    const finder = FINDERS[name];
    for (const { label, report } of newestFirst) {
      const r = report.results[target];
      const found = r && finder ? finder(r) : null;
      if (found)
        return { value: found.value, measured: true, source: `${found.source}; ${target}, run ${label}` };
    }
    return { value: ASSUMED[name].value, measured: false, source: ASSUMED[name].why };
  };
  return {
    memPerConnBytes: pick('memPerConnBytes'),
    baseRssBytes: pick('baseRssBytes'),
    usPerConnect: pick('usPerConnect'),
    usPerDelivery: pick('usPerDelivery'),
    usPerPersisted: pick('usPerPersisted'),
    sqliteMaxPersistedPerSec: pick('sqliteMaxPersistedPerSec'),
    sqliteRateWithinBound: pick('sqliteRateWithinBound'),
    postgresCpuFactor: pick('postgresCpuFactor'),
    postgresMaxPersistedPerSec: pick('postgresMaxPersistedPerSec'),
    usPerBusMessage: pick('usPerBusMessage'),
    resumesPerSec: pick('resumesPerSec'),
  };
}

/** The bare numbers, for the model. */
export type UnitValues = Record<UnitName, number>;

export function valuesOf(units: UnitCosts): UnitValues {
  const out = {} as UnitValues;
  for (const name of Object.keys(units) as UnitName[]) out[name] = units[name].value;
  return out;
}
