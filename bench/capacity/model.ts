/**
 * The capacity model: a pure function of the per-core unit costs (units.ts) and a workload. Parley runs one
 * server process per core (a process's event loop is one core), every process of every node talks to the others
 * over the bus (Redis), and all of them share one database. The model sizes the processes a workload needs,
 * then says how busy each shared component (PostgreSQL, Redis; SQLite for a single process) is, and at what
 * number of users each one saturates. docs/capacity.md gives the formulas in prose.
 */
import type { UnitValues } from './units.js';

/** How the bus routes a room's messages: to every process (`all`), or to the processes with a member there. */
export type BusRouting = 'all' | 'room';
export type StoreKind = 'sqlite' | 'postgres';

export interface Workload {
  /** Concurrent users (online, connected). */
  users: number;
  connectionsPerUser: number;
  messagesPerUserPerSec: number;
  /** Members of an ordinary room, and the share of a room's members online at a time. */
  roomMembers: number;
  onlineShare: number;
  /** Members of a large room, and the share of all messages sent in large rooms. */
  largeRoomMembers: number;
  largeRoomMessageShare: number;
  /** Ordinary rooms each user joins when connecting (presence in each). */
  roomsPerUser: number;
  /** How long a connection lasts: every one joins and leaves its rooms once. */
  sessionSeconds: number;
  /** PostgreSQL bytes per stored message, its indexes included. */
  storedBytesPerMessage: number;
}

export const DEFAULT_WORKLOAD: Omit<Workload, 'users'> = {
  connectionsPerUser: 1,
  messagesPerUserPerSec: 1 / 300,
  roomMembers: 50,
  onlineShare: 0.2,
  largeRoomMembers: 5000,
  largeRoomMessageShare: 0.05,
  roomsPerUser: 3,
  sessionSeconds: 1800,
  storedBytesPerMessage: 800,
};

export interface NodeShape {
  cores: number;
  ramGiB: number;
}

export interface Limits {
  /** Share of a core a process may use at the planned load (headroom for bursts and reconnect storms). */
  cpuTarget: number;
  /** Share of a node's RAM the processes may use. */
  memTarget: number;
  /** Connections one process holds at most (file descriptors, and what S1L has shown). */
  maxConnectionsPerProcess: number;
  /** Messages per second (in and out together) one Redis process passes through pub/sub. */
  redisMaxPerSec: number;
  /** Pooled PostgreSQL connections per process, and the server's max_connections. */
  pgPoolPerProcess: number;
  pgMaxConnections: number;
  /** The sizing gives up past this many nodes. */
  maxNodes: number;
}

export const DEFAULT_LIMITS: Limits = {
  cpuTarget: 0.7,
  memTarget: 0.8,
  maxConnectionsPerProcess: 100_000,
  redisMaxPerSec: 500_000,
  pgPoolPerProcess: 10,
  pgMaxConnections: 100,
  maxNodes: 10_000,
};

export interface Traffic {
  messagesPerSec: number;
  /** Online members a message reaches in an ordinary and in a large room. */
  recipientsSmall: number;
  recipientsLarge: number;
  connectsPerSec: number;
  /** Room and app presence changes published per second (joins and leaves). */
  presencePerSec: number;
  deliveriesPerSec: number;
  /** Bus messages published per second (each message once, each presence change once). */
  busInPerSec: number;
}

export function traffic(w: Workload): Traffic {
  const messagesPerSec = w.users * w.messagesPerUserPerSec;
  const recipientsSmall = Math.min(w.users, w.roomMembers * w.onlineShare);
  const recipientsLarge = Math.min(w.users, w.largeRoomMembers * w.onlineShare);
  const avgRecipients =
    (1 - w.largeRoomMessageShare) * recipientsSmall + w.largeRoomMessageShare * recipientsLarge;
  const connectsPerSec = (w.users * w.connectionsPerUser) / w.sessionSeconds;
  // Per connection: a join and a leave in each room, and the app's online and offline.
  const presencePerSec = 2 * connectsPerSec * (w.roomsPerUser + 1);
  const presenceDeliveries = 2 * connectsPerSec * w.roomsPerUser * recipientsSmall;
  return {
    messagesPerSec,
    recipientsSmall,
    recipientsLarge,
    connectsPerSec,
    presencePerSec,
    deliveriesPerSec: messagesPerSec * avgRecipients + presenceDeliveries,
    busInPerSec: messagesPerSec + presencePerSec,
  };
}

/** Expected processes with at least one of `members` online members, spread evenly over `processes`. */
export function interested(members: number, processes: number): number {
  if (processes <= 1) return Math.min(1, members);
  return processes * (1 - (1 - 1 / processes) ** members);
}

/** Bus messages Redis hands out per second: to every process, or only to the interested ones. */
export function busOutPerSec(t: Traffic, w: Workload, processes: number, routing: BusRouting): number {
  if (processes <= 1) return 0;
  if (routing === 'all') return t.busInPerSec * processes;
  const perMessage =
    (1 - w.largeRoomMessageShare) * interested(t.recipientsSmall, processes) +
    w.largeRoomMessageShare * interested(t.recipientsLarge, processes);
  const roomPresence = 2 * t.connectsPerSec * w.roomsPerUser;
  const appPresence = t.presencePerSec - roomPresence;
  return (
    t.messagesPerSec * perMessage +
    roomPresence * interested(t.recipientsSmall, processes) +
    appPresence * processes
  );
}

export const COMPONENTS = [
  'process CPU',
  'node memory',
  'connections per process',
  'SQLite writer',
  'PostgreSQL writes',
  'PostgreSQL connections',
  'Redis',
] as const;
export type Component = (typeof COMPONENTS)[number];

export interface ProcessLoad {
  connections: number;
  /** µs of CPU per second, by cause, and their sum. */
  cpuUs: { deliveries: number; persist: number; connects: number; bus: number; total: number };
  rssBytes: number;
}

export interface Plan {
  store: StoreKind;
  routing: BusRouting;
  node: NodeShape;
  /** Null: no number of nodes up to limits.maxNodes fits (then the figures are at that many). */
  nodes: number | null;
  processes: number;
  traffic: Traffic;
  perProcess: ProcessLoad;
  nodeRssBytes: number;
  redis: { inPerSec: number; outPerSec: number } | null;
  postgres: { writesPerSec: number; storagePerDayBytes: number; connections: number } | null;
  /** Share of each component's limit in use (1 = at its limit); a component not in use is absent. */
  utilisation: Partial<Record<Component, number>>;
  /** The component closest to its limit. */
  bottleneck: Component;
  /** Seconds for one node's clients to resume at once (after a cut): each process resumes its own share. */
  nodeResumeSeconds: number;
}

export interface ModelInput {
  units: UnitValues;
  workload: Workload;
  node: NodeShape;
  store: StoreKind;
  routing: BusRouting;
  limits?: Limits;
}

export function processLoad(input: ModelInput, processes: number): ProcessLoad {
  const { units: u, workload: w } = input;
  const t = traffic(w);
  const storeFactor = input.store === 'postgres' ? u.postgresCpuFactor : 1;
  const share = 1 / processes;
  const deliveries = t.deliveriesPerSec * u.usPerDelivery * share;
  const persist = t.messagesPerSec * u.usPerPersisted * storeFactor * share;
  const connects = t.connectsPerSec * u.usPerConnect * share;
  const bus = busOutPerSec(t, w, processes, input.routing) * u.usPerBusMessage * share;
  const connections = w.users * w.connectionsPerUser * share;
  return {
    connections,
    cpuUs: { deliveries, persist, connects, bus, total: deliveries + persist + connects + bus },
    rssBytes: u.baseRssBytes + connections * u.memPerConnBytes,
  };
}

function planAt(input: ModelInput, nodes: number, processes: number, limits: Limits): Plan {
  const { units: u, workload: w, node } = input;
  const t = traffic(w);
  const load = processLoad(input, processes);
  const coresPerNode = Math.min(node.cores, processes);
  const nodeRssBytes = coresPerNode * load.rssBytes;
  const utilisation: Partial<Record<Component, number>> = {
    'process CPU': load.cpuUs.total / (limits.cpuTarget * 1e6),
    'node memory': nodeRssBytes / (node.ramGiB * 2 ** 30 * limits.memTarget),
    'connections per process': load.connections / limits.maxConnectionsPerProcess,
  };
  let redis: Plan['redis'] = null;
  if (processes > 1) {
    redis = { inPerSec: t.busInPerSec, outPerSec: busOutPerSec(t, w, processes, input.routing) };
    utilisation.Redis = (redis.inPerSec + redis.outPerSec) / limits.redisMaxPerSec;
  }
  let postgres: Plan['postgres'] = null;
  if (input.store === 'postgres') {
    postgres = {
      writesPerSec: t.messagesPerSec,
      storagePerDayBytes: t.messagesPerSec * 86_400 * w.storedBytesPerMessage,
      connections: processes * limits.pgPoolPerProcess,
    };
    utilisation['PostgreSQL writes'] = postgres.writesPerSec / u.postgresMaxPersistedPerSec;
    utilisation['PostgreSQL connections'] = postgres.connections / limits.pgMaxConnections;
  } else {
    utilisation['SQLite writer'] = t.messagesPerSec / u.sqliteMaxPersistedPerSec;
  }
  const ranked = (Object.entries(utilisation) as [Component, number][]).sort((a, b) => b[1] - a[1]);
  return {
    store: input.store,
    routing: input.routing,
    node,
    nodes,
    processes,
    traffic: t,
    perProcess: load,
    nodeRssBytes,
    redis,
    postgres,
    utilisation,
    bottleneck: (ranked[0] as [Component, number])[0],
    nodeResumeSeconds: load.connections / u.resumesPerSec,
  };
}

/** What a process and a node must stay within; the shared components are reported, not sized. */
function fits(plan: Plan): boolean {
  const u = plan.utilisation;
  return (
    (u['process CPU'] ?? 0) <= 1 && (u['node memory'] ?? 0) <= 1 && (u['connections per process'] ?? 0) <= 1
  );
}

/**
 * The fewest nodes of `input.node`'s shape that serve the workload, one process per core. On SQLite there is
 * one process (one writer per database file): the plan is that one process, fitting or not.
 */
export function plan(input: ModelInput): Plan {
  const limits = input.limits ?? DEFAULT_LIMITS;
  if (input.store === 'sqlite') {
    const one = planAt(input, 1, 1, limits);
    return fits(one) ? one : { ...one, nodes: null };
  }
  let last: Plan | null = null;
  for (let nodes = 1; nodes <= limits.maxNodes; nodes += 1) {
    last = planAt(input, nodes, nodes * input.node.cores, limits);
    if (fits(last)) return last;
  }
  return { ...(last ?? planAt(input, 1, input.node.cores, limits)), nodes: null };
}

export interface Saturation {
  component: Component | 'nodes (no number of nodes fits)';
  /** Concurrent users at which it reaches its limit; null: not below `maxUsers`. */
  users: number | null;
}

const MIN_USERS = 100;

/**
 * For each shared component, and for the sizing itself, the number of users at which it reaches its limit
 * (the workload's other figures held), found by doubling and then halving the interval to 1 %.
 */
export function saturationPoints(input: ModelInput, maxUsers = 1e9): Saturation[] {
  const at = (users: number) => plan({ ...input, workload: { ...input.workload, users } });
  const shared: Component[] =
    input.store === 'sqlite'
      ? ['SQLite writer', 'process CPU', 'node memory', 'connections per process']
      : ['PostgreSQL writes', 'PostgreSQL connections', 'Redis'];
  const over = (users: number, c: Saturation['component']): boolean => {
    const p = at(users);
    if (c === 'nodes (no number of nodes fits)') return p.nodes === null;
    return (p.utilisation[c] ?? 0) > 1;
  };
  const find = (c: Saturation['component']): number | null => {
    if (over(MIN_USERS, c)) return MIN_USERS;
    let low = MIN_USERS;
    let high = MIN_USERS * 2;
    while (!over(high, c)) {
      if (high >= maxUsers) return null;
      low = high;
      high = Math.min(maxUsers, high * 2);
    }
    while (high / low > 1.01) {
      const mid = Math.sqrt(low * high);
      if (over(mid, c)) high = mid;
      else low = mid;
    }
    return Math.round(high);
  };
  const components: Saturation['component'][] =
    input.store === 'sqlite' ? shared : [...shared, 'nodes (no number of nodes fits)'];
  return components
    .map((component) => ({ component, users: find(component) }))
    .sort((a, b) => (a.users ?? Infinity) - (b.users ?? Infinity));
}
