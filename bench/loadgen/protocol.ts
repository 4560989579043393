/**
 * What the orchestrator (run.ts) asks the load generator process to do, and what comes back. Every task
 * runs in the load generator; the orchestrator samples CPU and server stats around the `mark`s it sends.
 */
import type { LatencySummary } from './hist.js';
import type { Protocol } from './clients.js';
import type { ExtrasArgs, ExtrasResult } from './extras.js';

export interface PopulateArgs {
  pop: string;
  protocol: Protocol;
  /** Client i connects to urls[i % urls.length] (two nodes: every other client on each); see `byRoom`. */
  urls: string[];
  /**
   * S4-scale: a client's node follows its room instead. Room r's members are all on node r % nodes, but every
   * `pairEvery`-th room (r % pairEvery === 0) has every other member on the next node; 0: no room is split.
   */
  byRoom?: { pairEvery: number };
  count: number;
  /** Client i joins `${roomPrefix}${Math.floor(i / roomSize)}`. */
  roomPrefix: string;
  roomSize: number;
  namePrefix: string;
  /** Connections being set up at once. */
  concurrency: number;
  /** S5: Parley's typed client (ParleyClient) instead of the raw clients, with its resume logic. */
  typed?: boolean;
  /** Give up on the connections still missing after this long (the rest count as failed). */
  timeoutMs?: number;
  /** False: open and authenticate only, join no room (S1L's idle connections). Default true. */
  join?: boolean;
  /** Client i binds its socket to sourceAddresses[i % length] (native WebSocket only; S1L). */
  sourceAddresses?: string[];
  /** Dialect clients: the admin key they get their access tokens with (dialects.ts). */
  adminKey?: string;
}

export interface PopulateResult {
  connected: number;
  failed: number;
  errors: Record<string, number>;
  elapsedMs: number;
  /** Connections fully set up (open, authenticated, joined) per second. */
  ratePerSec: number;
  /** Connect → WebSocket open (socket.io: namespace connected). */
  handshake: LatencySummary;
  /** Connect → open → auth → join answered. */
  ready: LatencySummary;
  /** Pushes other than messages the clients received while connecting (presence and the like). */
  otherEvents: number;
}

export interface FanoutArgs {
  pop: string;
  /** Index of the publishing client (it is a member too). */
  publisher: number;
  /** Messages per second published. */
  rate: number;
  warmupMs: number;
  measureMs: number;
  /** After the last message: wait at most this long for deliveries. */
  drainMs: number;
  /** Extra characters in each message (S6 uses bigger frames). */
  padChars: number;
  /** Receivers split by index % groups for separate latency summaries (S4: one group per node). */
  groups?: number;
  /** S6: every `every`-th member (never the publisher) stops reading `pauseAtMs` after the step starts. */
  slow?: { every: number; pauseAtMs: number; closeWaitMs: number };
  /** Time series of the healthy members' latency in windows of this length (S6). */
  windowMs?: number;
  /**
   * Publish over the server's REST API instead of the publisher's socket (S2 with `s2.restPublisher=1`); the
   * publisher's position still names the room and the payload stream.
   */
  rest?: { baseUrl: string; adminKey: string; username: string };
}

export interface WindowStat {
  /** Window start, ms since the step started. */
  t: number;
  count: number;
  p50: number;
  p99: number;
}

export interface FanoutResult {
  rate: number;
  members: number;
  offeredDeliveriesPerSec: number;
  achievedDeliveriesPerSec: number;
  published: number;
  sendErrors: Record<string, number>;
  latency: LatencySummary;
  byGroup: LatencySummary[];
  /** Measured messages that some (healthy) member never got within the drain time. */
  missing: number;
  duplicates: number;
  windows: WindowStat[];
  slow: {
    paused: number;
    closed: number;
    closeCodes: Record<string, number>;
    /** S6: per stopped reader, ms from when it stopped reading to when the server cut it (null: never). */
    cutMs?: (number | null)[];
    /** Where those times come from (cutWatch.ts). */
    cutFrom?: 'server socket' | 'client close' | 'both' | null;
  } | null;
  /** Healthy members whose connection was closed by the end of the step, by close code. */
  disconnected: Record<string, number>;
  loadgenEldP99Ms: number;
}

export interface ChatArgs {
  pop: string;
  /** Messages per second, all users together (each sends rate / users). */
  rate: number;
  warmupMs: number;
  measureMs: number;
  drainMs: number;
  /** S3R: reads and reactions in answer to what each client receives. */
  extras?: ExtrasArgs;
}

export interface ChatResult {
  rate: number;
  users: number;
  sent: number;
  acked: number;
  /** Acknowledged (Parley: committed) messages per second in the measured window. */
  committedPerSec: number;
  deliveriesPerSec: number;
  ack: LatencySummary;
  deliver: LatencySummary;
  /** With several nodes: deliveries to a client on another node than the sender's only. */
  deliverOtherNode?: LatencySummary;
  errors: Record<string, number>;
  missing: number;
  duplicates: number;
  loadgenEldP99Ms: number;
  extras?: ExtrasResult;
}

export interface StormArgs {
  pop: string;
  /** Messages per second sent during the whole storm, spread over the rooms (first member of each sends). */
  rate: number;
  /** Sending before the drop. */
  preMs: number;
  /** Give up waiting for every client to resume after this long. */
  maxWaitMs: number;
  /** Sending after everyone resumed. */
  postMs: number;
  /** Then wait at most this long for every member to have every message. */
  settleMs: number;
}

export interface StormResult {
  clients: number;
  resumed: number;
  /** ms from the drop until 50 / 95 / 100 % had resumed (null: never within maxWaitMs). */
  t50Ms: number | null;
  t95Ms: number | null;
  t100Ms: number | null;
  sent: number;
  acked: number;
  sendErrors: Record<string, number>;
  /** Clients resumed within 10 s of the drop (the bound). */
  resumedWithin10s: number;
  /**
   * Messages a resumed member never got: holes in what it was handed, and what it still lacked once sending
   * had stopped and the settle time was over.
   */
  gaps: number;
  /** Messages missing at members that never resumed (counted apart: they are the resume time's failure). */
  missingAtUnresumed: number;
  /** Messages a member got twice. */
  duplicates: number;
  /** `gap` events from the typed client (the server said it skipped some). */
  gapEvents: number;
  /** Clients that gave up or were refused. */
  failedClients: number;
  reconnectAttempts: number;
  loadgenEldP99Ms: number;
}

export interface LoadgenStats {
  rss: number;
  heapUsed: number;
  eldP99Ms: number;
}

export interface TaskMap {
  populate: { args: PopulateArgs; result: PopulateResult };
  close: { args: { pop: string }; result: { closed: number } };
  /** Clients of a population whose connection is still open. */
  count: { args: { pop: string }; result: { open: number } };
  fanout: { args: FanoutArgs; result: FanoutResult };
  chat: { args: ChatArgs; result: ChatResult };
  storm: { args: StormArgs; result: StormResult };
  stats: { args: Record<string, never>; result: LoadgenStats };
}

export type TaskName = keyof TaskMap;

export type LoadgenRequest = { [K in TaskName]: { id: number; task: K; args: TaskMap[K]['args'] } }[TaskName];

export type LoadgenMessage =
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: string }
  | { kind: 'mark'; id: number; name: string };
