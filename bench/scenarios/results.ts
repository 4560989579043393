/** The shape of every scenario's result, as written to the JSON report. */
import type { ProfileSummary } from '../profile.js';
import type {
  ChatResult,
  FanoutResult,
  PopulateResult,
  StormResult,
  WindowStat,
} from '../loadgen/protocol.js';
import type { CpuUse, LatencySummary } from '../types.js';

export interface S1Result {
  connections: number;
  failed: number;
  errors: Record<string, number>;
  /** Server RSS growth per connection (bytes). */
  rssPerConn: number;
  /** Server heap growth per connection after a full GC (bytes). */
  heapPerConn: number;
  /** Load generator RSS growth per connection (for scale). */
  loadgenRssPerConn: number;
  connectRatePerSec: number;
  handshake: LatencySummary;
  ready: LatencySummary;
  /** Pushes the clients got while connecting besides replies (Parley: presence_join and user_online). */
  eventsWhileConnecting: number;
  /** How long the server stayed busy after the last connection was set up. */
  settleMs: number;
  cpu: CpuUse;
  serverBefore: { rss: number; heapUsed: number };
  serverAfter: { rss: number; heapUsed: number };
  /** `--profile`: Parley's CPU profile while the connections were set up. */
  profile: ProfileSummary | null;
  /** `--profile`: heap snapshot difference per connection, by constructor (Parley only). */
  heap: { totalBytes: number; entries: { key: string; count: number; bytes: number }[] } | null;
  /** Raw benchmark clients, or Parley's typed client (when S5 reuses the population). */
  client: 'typed' | 'raw';
}

export interface S1LResult {
  /**
   * The size configured (100,000 in full runs); absent in older reports. `attempted`: the connections tried,
   * fewer when the open-files limit is lower; `connections`: open and authenticated at the end.
   */
  configured?: number;
  attempted: number;
  connections: number;
  failed: number;
  /** Connect failures by reason (an errno such as EADDRNOTAVAIL or EMFILE, a server error code, timeout). */
  errors: Record<string, number>;
  sourceAddresses: string[];
  connectRatePerSec: number;
  connectSeconds: number;
  handshake: LatencySummary;
  ready: LatencySummary;
  settleMs: number;
  cpu: CpuUse;
  /** Server memory after a full GC, before the first connection and with every connection held. */
  serverBefore: { rss: number; heapUsed: number };
  serverAfter: { rss: number; heapUsed: number; heapTotal: number; external: number };
  rssPerConn: number;
  heapPerConn: number;
  loadgenRss: number;
  /** /healthz round trips on a new TCP connection each, with every connection held. */
  healthz: {
    probes: number;
    failed: number;
    p50Ms: number | null;
    maxMs: number | null;
    within100Ms: boolean;
  };
  /** Connections still open after the probes (ones the server dropped while idle are missing). */
  stillOpen: number;
  limits: {
    openFiles: number | null;
    portRange: string | null;
    somaxconn: number | null;
    problems: string[];
  };
}

export interface S2Step extends FanoutResult {
  cpu: CpuUse;
  serverEldP99Ms: number;
  /** CPU time per delivery (server, load generator), in µs: an efficiency measure the generator cannot cap. */
  serverUsPerDelivery: number;
  loadgenUsPerDelivery: number;
  pass: boolean;
}

export interface S2Size {
  members: number;
  populate: PopulateResult;
  /** Every member still connected after the last step (an overloaded server may drop some). */
  intact: boolean;
  steps: S2Step[];
  /** Highest offered deliveries/s with p99 under the bound, no loss, and (nearly) all delivered. */
  knee: number | null;
  /** What ran out at the first step over the knee. */
  limitedBy: CpuUse['saturated'] | 'not reached';
  profile: ProfileSummary | null;
}

export interface S2Result {
  sizes: S2Size[];
}

export interface S3Step extends ChatResult {
  cpu: CpuUse;
  serverEldP99Ms: number;
  /** The longest event-loop pause over the step (warm-up, measure and drain); absent in older reports. */
  serverEldMaxMs?: number;
  /** How long that covers, in ms. */
  serverEldWindowMs?: number;
}

export interface S3Result {
  users: number;
  roomSize: number;
  populate: PopulateResult;
  steps: S3Step[];
  /** Highest total rate whose send→ack p99 stayed within the S3 bound (20 ms) without errors or loss. */
  maxRateWithinAckBound: number | null;
  /** `--profile`: Parley's CPU profile at the target rate. */
  profile: ProfileSummary | null;
}

/** S3P: S3 on one Parley node on PostgreSQL, at rising rates (scenarios/s3p.ts). */
export interface S3PResult {
  users: number;
  steps: S3Step[];
  /** The most messages committed per second in any step. */
  highestCommittedPerSec: number | null;
  skipped: string | null;
}

/** One S3 step and one S3R step at the same rate, run back to back on the same population. */
export interface S3RPair {
  rate: number;
  plain: S3Step;
  extra: S3Step;
  /** S3R's committed messages per second over S3's. */
  throughputRatio: number | null;
}

export interface S3RResult {
  users: number;
  roomSize: number;
  readEvery: number;
  reactEvery: number;
  populate: PopulateResult;
  /** In the order run; `repeats` pairs per rate. */
  pairs: S3RPair[];
  /** `--profile`: Parley's CPU profile in an S3R step at the target rate. */
  profile: ProfileSummary | null;
}

/** A1: an attack from one address beside a small chat load (scenarios/a1.ts). */
export interface A1Result {
  users: number;
  rate: number;
  /** Wrong passwords sent at one account, and their answers by status. */
  passwords: number;
  logins: Record<string, number>;
  rateLimited: number;
  /** Password hashes the server computed meanwhile (parley_password_hashes_total). */
  passwordHashes: number;
  /** Connection attempts from the attacker, their answers by status (101: opened), and how long they took. */
  attempts: number;
  connections: Record<string, number>;
  connectionsMs: number;
  /** Percent of the attempts refused with 503. */
  refusedShare: number;
  /** A second address's WebSocket connect time in the middle of the flood. */
  bystanderConnectMs: number | null;
  quiet: S3Step;
  underAttack: S3Step;
  /** The chat's send→ack p99 under attack over the quiet phase's. */
  ackP99Ratio: number | null;
}

export interface S4Run extends FanoutResult {
  cpu: CpuUse;
}

export interface S4Result {
  members: number;
  rate: number;
  /** One node: Parley on SQLite, the baselines on their own. */
  oneNode: S4Run | null;
  /** One Parley node on PostgreSQL (full mode, when PostgreSQL is reachable). */
  onePostgres: S4Run | null;
  /** Two nodes over Redis (Parley: PostgreSQL when reachable); byGroup[0]: members on the publisher's node. */
  twoNodes: S4Run | null;
  store: string;
  /** Two nodes' p50/p99 on the other node minus one node's. */
  addedP50Ms: number | null;
  addedP99Ms: number | null;
  skipped: string | null;
}

export interface S4SNode {
  /** Bus messages the node received (its own echoes included) and published, over the measured step. */
  received: number;
  published: number;
  /** `received` as a share of everything the cluster published. */
  sharePct: number;
}

export interface S4SResult {
  nodes: number;
  rooms: number;
  roomSize: number;
  pairEvery: number;
  rate: number;
  users: number;
  step: S3Step | null;
  perNode: S4SNode[];
  clusterPublished: number;
  maxSharePct: number | null;
  /** Send→delivery of the deliveries whose receiver was on another node than the sender. */
  otherNode: LatencySummary | null;
  skipped: string | null;
}

export interface S5Result extends StormResult {
  populate: PopulateResult;
  client: 'typed' | 'raw';
  cpu: CpuUse;
}

export interface S6Result {
  members: number;
  slowMembers: number;
  rate: number;
  padChars: number;
  step: FanoutResult & { cpu: CpuUse };
  /** Healthy members' window p99: median before the slow ones stop reading, worst after. */
  healthyP99BeforeMs: number;
  healthyP99DuringMs: number;
  windows: WindowStat[];
  rssStart: number;
  rssPeak: number;
  rssEnd: number;
  heapAfter: number;
  /** Parley's own count (parley_slow_consumers_total); null for the baselines. */
  slowDisconnectedByServer: number | null;
  /**
   * Per stopped reader, ms from when it stopped reading to when the server cut its connection (null: not cut
   * by the end of the wait), and the longest of those cut; absent in older reports.
   */
  slowCutMs?: (number | null)[];
  slowCutMaxMs?: number | null;
  rssSeries: { t: number; rss: number }[];
}

/** One S3 step and one with a webhook endpoint receiving every message, at the same rate, back to back. */
export interface S3WPair {
  rate: number;
  plain: S3Step;
  hooked: S3Step;
  /** The webhook step's committed messages per second over the plain step's. */
  throughputRatio: number | null;
  /** message.created deliveries: one per acknowledged message of the webhook step. */
  deliveries: {
    expected: number;
    /** Distinct event ids the receiver got (a retried delivery counts once). */
    received: number;
    /** From the end of the send window to the last expected delivery; null: not all arrived in the wait. */
    drainMs: number | null;
    /** Expected deliveries still missing when the wait ended. */
    backlog: number;
    /** Deliveries per second over the send window and the drain. */
    perSec: number;
    /** The step's acknowledged messages over its send window (warm-up and measure): the rate to keep up with. */
    messagesPerSec: number;
  };
}

export interface S3WResult {
  users: number;
  roomSize: number;
  populate: PopulateResult;
  pairs: S3WPair[];
}

export interface TargetResults {
  S1?: S1Result;
  S1L?: S1LResult;
  S2?: S2Result;
  S3?: S3Result;
  S3P?: S3PResult;
  S3R?: S3RResult;
  S3W?: S3WResult;
  S4?: S4Result;
  S4S?: S4SResult;
  S5?: S5Result;
  S6?: S6Result;
  A1?: A1Result;
  errors: string[];
  /** Wall-clock seconds per scenario (S1 includes connecting its population). */
  seconds: Record<string, number>;
}
