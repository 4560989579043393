/**
 * Cluster mode for tests: N `parley serve` processes on one PostgreSQL schema of their own and a Redis of the
 * test's own, a TCP load balancer in front of them, and PostgreSQL behind a TCP proxy that a test can cut.
 *
 * Fault tests only ever break what this helper started (its own redis-server, its own proxy, its own node
 * processes): never the machine's shared PostgreSQL or Redis.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { connect as netConnect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import pg from 'pg';
import { ParleyClient } from '../../src/client/index.js';
import type { ClientCredentials, ParleyClientOptions, TransportKind } from '../../src/client/index.js';
import { startOwnRedis, type OwnRedis } from './redis.js';
import { makeTempDir, spawnServer, unreachedLimits, UNREACHED_LIMIT, type SpawnedServer } from './server.js';
import { waitFor } from './wait.js';

/** The shared database the tests make their schemas in (each test file its own, dropped afterwards). */
export const TEST_DATABASE_URL =
  process.env.PARLEY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The admin key of every node of a test cluster (it must be the same on all of them). */
export const CLUSTER_ADMIN_KEY = 'cluster-admin-key-0123456789abcdef';

/** Small cluster timings, so that the documented bounds are short enough to wait for in a test. */
export const CLUSTER_HEARTBEAT_MS = 300;
export const PRESENCE_GRACE_MS = 200;
export const BACKFILL_DELAY_MS = 50;
/** The documented bound for dropping the presence of a node that died: 3 × heartbeat + presence grace. */
export const NODE_GONE_BOUND_MS = 3 * CLUSTER_HEARTBEAT_MS + PRESENCE_GRACE_MS;

/** Starting a node from source is slow on a loaded 2-core CI machine: generous, since it is event-driven. */
const NODE_START_TIMEOUT_MS = 90_000;

/** A flood limit, and per-operation limits, that no test reaches. */
export const NO_FLOOD = { flood: UNREACHED_LIMIT, limits: unreachedLimits() };

// ------------------------------------------------------------------------------------------ prerequisites

/** The URL as it may be printed: without its password. */
function shown(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable connection string)';
  }
}

async function whyPostgresUnreachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return err instanceof Error ? err.message || err.name : String(err);
  } finally {
    await client.end().catch(() => {});
  }
}

function whyRedisServerMissing(): string | null {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error) return `redis-server cannot be run (${probe.error.message})`;
  if (probe.status !== 0) return `redis-server --version exited with ${String(probe.status)}`;
  return null;
}

/**
 * True when PostgreSQL answers and redis-server can be started. Otherwise: with `CI` set, throws (the suite
 * must run there); without it, prints why the cluster tests are skipped and answers false.
 */
export async function clusterServicesAvailable(label: string): Promise<boolean> {
  const reasons: string[] = [];
  const pgProblem = await whyPostgresUnreachable(TEST_DATABASE_URL);
  if (pgProblem !== null) {
    reasons.push(
      `PostgreSQL is not reachable at ${shown(TEST_DATABASE_URL)} (${pgProblem}); start it or set PARLEY_TEST_DATABASE_URL`,
    );
  }
  const redisProblem = whyRedisServerMissing();
  if (redisProblem !== null) reasons.push(`${redisProblem}; install redis-server`);
  if (reasons.length === 0) return true;
  const message = `cluster tests need PostgreSQL and redis-server: ${reasons.join('; ')}`;
  if (process.env.CI) throw new Error(`[${label}] ${message}`);
  console.warn(`[${label}] skipped: ${message}. (With CI set, this is a failure.)`);
  return false;
}

// ------------------------------------------------------------------------------------------ TCP plumbing

export interface TcpTarget {
  host: string;
  port: number;
}

interface Pair {
  down: Socket;
  up: Socket;
  backend: number;
  /** Left to finish on its own (see cutAt): closing the client side does not destroy it. */
  detached: boolean;
}

interface Backend extends TcpTarget {
  /** False once a connection to it was refused (the process is gone), or when a test took it out. */
  alive: boolean;
  /** Taken out of rotation by the test (as an operator drains a backend), whether alive or not. */
  enabled: boolean;
}

/**
 * A TCP load balancer for tests: each new connection goes to the next backend in turn, skipping disabled and
 * dead ones (a refused connection marks its backend dead and the next one is tried). `cut()` drops every
 * forwarded connection and refuses new ones until `restore()`: with one backend it is a proxy that can make
 * what is behind it unreachable.
 */
export class TcpBalancer {
  private server: Server | null = null;
  private readonly backends: Backend[];
  private readonly pairs = new Set<Pair>();
  private next = 0;
  private open = true;
  private trigger: { pattern: Buffer; when: 'before' | 'after'; fired: () => void } | null = null;
  port = 0;

  constructor(targets: TcpTarget[]) {
    this.backends = targets.map((t) => ({ ...t, alive: true, enabled: true }));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = createServer((down) => this.accept(down));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** Take backend `i` out of rotation (existing connections stay) or put it back. */
  setEnabled(i: number, enabled: boolean): void {
    const backend = this.backends[i];
    if (backend) backend.enabled = enabled;
  }

  /** Whether connections were refused by backend `i` (it is skipped from then on). */
  isDead(i: number): boolean {
    return this.backends[i]?.alive === false;
  }

  /** Forwarded connections open now, to backend `i`. */
  connectionsTo(i: number): number {
    let n = 0;
    for (const pair of this.pairs) if (pair.backend === i) n++;
    return n;
  }

  /**
   * Arms a one-shot cut at a precise moment: the next chunk a client sends that contains `pattern` triggers
   * `cut()`. With `after`, that chunk is first delivered to the backend (whose connection is then half-closed,
   * so that it still acts on it) while the client never hears the answer; with `before`, it is dropped. For
   * PostgreSQL and the pattern `COMMIT`: a transaction the server commits but whose client sees a lost
   * connection, or one that is rolled back because its COMMIT never arrived.
   */
  cutAt(pattern: string, when: 'before' | 'after'): Promise<void> {
    return new Promise((resolve) => {
      this.trigger = { pattern: Buffer.from(pattern, 'utf8'), when, fired: resolve };
    });
  }

  private forward(chunk: Buffer, pair: Pair): void {
    const trigger = this.trigger;
    if (!trigger || !chunk.includes(trigger.pattern)) {
      pair.up.write(chunk);
      return;
    }
    this.trigger = null;
    if (trigger.when === 'after') {
      // The backend gets the chunk and then end-of-stream; it is no longer forwarded anywhere.
      this.pairs.delete(pair);
      pair.detached = true;
      pair.up.unpipe(pair.down);
      pair.up.resume();
      pair.up.end(chunk);
      pair.down.destroy();
    }
    this.cut();
    trigger.fired();
  }

  /** Drop every forwarded connection and refuse new ones. */
  cut(): void {
    this.open = false;
    for (const pair of [...this.pairs]) {
      pair.down.destroy();
      pair.up.destroy();
    }
    this.pairs.clear();
  }

  restore(): void {
    this.open = true;
  }

  async close(): Promise<void> {
    this.cut();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(down: Socket): void {
    down.on('error', () => {});
    if (!this.open) {
      down.destroy();
      return;
    }
    // The downstream socket stays paused (no reader yet): what the client sends waits until a backend answers.
    const tried = new Set<number>();
    const attempt = () => {
      const index = this.pick(tried);
      if (index === null || !this.open || down.destroyed) {
        down.destroy();
        return;
      }
      tried.add(index);
      const backend = this.backends[index] as Backend;
      const up = netConnect(backend.port, backend.host);
      const onConnectError = () => {
        up.destroy();
        backend.alive = false;
        attempt();
      };
      up.once('error', onConnectError);
      up.once('connect', () => {
        up.off('error', onConnectError);
        if (!this.open || down.destroyed) {
          up.destroy();
          down.destroy();
          return;
        }
        const pair = { down, up, backend: index, detached: false };
        this.pairs.add(pair);
        const end = () => {
          this.pairs.delete(pair);
          down.destroy();
          if (!pair.detached) up.destroy();
        };
        down.on('error', end).on('close', end);
        up.on('error', end).on('close', end);
        down.on('data', (chunk: Buffer) => this.forward(chunk, pair));
        up.pipe(down);
      });
    };
    attempt();
  }

  /** The next enabled, live backend not tried yet for this connection, round robin. */
  private pick(tried: Set<number>): number | null {
    const n = this.backends.length;
    for (let step = 0; step < n; step++) {
      const index = (this.next + step) % n;
      const backend = this.backends[index] as Backend;
      if (tried.has(index) || !backend.enabled || !backend.alive) continue;
      this.next = (index + 1) % n;
      return index;
    }
    return null;
  }
}

// ------------------------------------------------------------------------------------------ the cluster

export interface ClusterNode {
  index: number;
  /** 'A', 'B', 'C', … */
  name: string;
  url: string;
  port: number;
  adminKey: string;
  process: SpawnedServer;
  /** Kill the process (SIGKILL by default) and wait until it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface Cluster {
  nodes: ClusterNode[];
  /** The load balancer in front of every node (clients that reconnect "to the cluster" use its URL). */
  lb: TcpBalancer;
  /** The proxy between the nodes and PostgreSQL: `cut()` is a database outage, `restore()` its end. */
  pg: TcpBalancer;
  redis: OwnRedis;
  schema: string;
  /** A pool on the test database for the test itself (not through the proxy), search_path = the schema. */
  db: pg.Pool;
  /** Kills every node and drops everything the cluster made (schema, Redis, data directories). */
  close(): Promise<void>;
}

export interface ClusterOptions {
  nodes?: number;
  /** Extra environment for every node. */
  env?: Record<string, string>;
}

/**
 * The test's Redis, where `start()` while it runs and `stop()` while it is stopped do nothing: a second
 * redis-server on the same port would fail to bind, and the helper would then lose track of the first one.
 */
function guarded(redis: OwnRedis): OwnRedis {
  let running = true;
  return {
    url: redis.url,
    port: redis.port,
    async stop() {
      if (!running) return;
      running = false;
      await redis.stop();
    },
    async start() {
      if (running) return;
      await redis.start();
      running = true;
    },
    signal: (signal) => redis.signal(signal),
  };
}

export function withHostPort(url: string, host: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = host;
  parsed.port = String(port);
  return parsed.toString();
}

/**
 * Starts the nodes together (as a deploy would), each with its own data directory, all on one fresh schema,
 * one Redis of the test's own and the same admin key. Resolves once every node printed its startup line.
 */
export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const count = opts.nodes ?? 3;
  const schema = `parley_cluster_${randomBytes(6).toString('hex')}`;
  const target = new URL(TEST_DATABASE_URL);
  const pgProxy = await new TcpBalancer([
    { host: target.hostname || '127.0.0.1', port: Number(target.port || 5432) },
  ]).start();
  const dataDirs: string[] = [];
  const spawned: SpawnedServer[] = [];
  const db = new pg.Pool({
    connectionString: TEST_DATABASE_URL,
    max: 2,
    options: `-c search_path=${schema}`,
  });
  db.on('error', () => {});
  let redis: OwnRedis | null = null;
  let lb: TcpBalancer | null = null;

  const cleanUp = async () => {
    for (const child of spawned) child.kill('SIGKILL');
    await Promise.all(spawned.map((child) => child.exited));
    await lb?.close();
    await pgProxy.close();
    await redis?.stop();
    try {
      await db.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    } finally {
      await db.end();
      await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    }
  };

  try {
    redis = await startOwnRedis();
    const env: Record<string, string> = {
      PARLEY_DATABASE_URL: withHostPort(TEST_DATABASE_URL, '127.0.0.1', pgProxy.port),
      PARLEY_DATABASE_SCHEMA: schema,
      PARLEY_REDIS_URL: redis.url,
      PARLEY_ADMIN_KEY: CLUSTER_ADMIN_KEY,
      PARLEY_CLUSTER_HEARTBEAT_MS: String(CLUSTER_HEARTBEAT_MS),
      PARLEY_PRESENCE_GRACE_MS: String(PRESENCE_GRACE_MS),
      PARLEY_BACKFILL_DELAY_MS: String(BACKFILL_DELAY_MS),
      PARLEY_LOG_LEVEL: 'warn',
      ...opts.env,
    };
    for (let i = 0; i < count; i++) dataDirs.push(await makeTempDir('parley-cluster-'));
    const starting = dataDirs.map((dataDir) =>
      spawnServer({ dataDir, env, timeoutMs: NODE_START_TIMEOUT_MS }).then((server) => {
        spawned.push(server);
        return server;
      }),
    );
    const settled = await Promise.allSettled(starting);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    const servers = settled.map((s) => (s as PromiseFulfilledResult<SpawnedServer>).value);
    const nodes = servers.map((server, index): ClusterNode => ({
      index,
      name: String.fromCharCode(65 + index),
      url: server.url,
      port: server.port,
      adminKey: CLUSTER_ADMIN_KEY,
      process: server,
      async kill(signal: NodeJS.Signals = 'SIGKILL') {
        if (server.child.exitCode === null && server.child.signalCode === null) server.kill(signal);
        await server.exited;
      },
    }));
    lb = await new TcpBalancer(nodes.map((n) => ({ host: '127.0.0.1', port: n.port }))).start();
    const balancer = lb;
    const ownRedis = guarded(redis);
    let closed: Promise<void> | null = null;
    return {
      nodes,
      lb: balancer,
      pg: pgProxy,
      redis: ownRedis,
      schema,
      db,
      close() {
        closed ??= cleanUp();
        return closed;
      },
    };
  } catch (err) {
    await cleanUp().catch(() => {});
    throw err;
  }
}

// ------------------------------------------------------------------------------------------ admin API

/** An admin API call on one node; throws with the status and body unless it succeeded. */
export async function adminApi<T = unknown>(
  node: { url: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${CLUSTER_ADMIN_KEY}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${node.url}${path}`, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} on ${node.url} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** An access token for `username` (created as an external member when new), with a role when given. */
export async function tokenFor(node: { url: string }, username: string, role?: string): Promise<string> {
  const issued = await adminApi<{ token: string }>(node, 'POST', '/api/v1/apps/1/tokens', { username });
  if (role) await adminApi(node, 'PATCH', `/api/v1/apps/1/users/${encodeURIComponent(username)}`, { role });
  return issued.token;
}

/** An account with a password (for dialects that log in with one). */
export async function createAccount(
  node: { url: string },
  username: string,
  password: string,
): Promise<void> {
  await adminApi(node, 'POST', '/api/v1/apps/1/users', { username, password });
}

export async function createRoom(node: { url: string }, name: string): Promise<{ id: number; name: string }> {
  return adminApi<{ id: number; name: string }>(node, 'POST', '/api/v1/apps/1/rooms', { name });
}

export interface StoredMessage {
  id: number;
  seq: number;
  text: string;
  clientMsgId: string | null;
  author: { id: number; username: string } | null;
}

/** The whole history of a room, oldest first, paging forward through the admin API. */
export async function fullHistory(node: { url: string }, room: string): Promise<StoredMessage[]> {
  const all: StoredMessage[] = [];
  let after = 0;
  for (;;) {
    const page = await adminApi<{ messages: StoredMessage[]; nextCursor: number | null }>(
      node,
      'GET',
      `/api/v1/apps/1/rooms/${encodeURIComponent(room)}/messages?after=${after}&limit=200`,
    );
    all.push(...page.messages);
    if (page.nextCursor === null) return all;
    after = page.nextCursor;
  }
}

// ------------------------------------------------------------------------------------------ clients

/** A short unique name (usernames 1-32 characters; numeric nicknames and channels 2-16 letters/digits/_). */
export function unique(prefix: string): string {
  return `${prefix}${randomBytes(3).toString('hex')}`;
}

/** Every client a test file opens, closed when it is done. */
export class ClusterClients {
  private readonly closers = new Set<() => void>();

  native(
    target: { url: string },
    transport: TransportKind,
    credentials: ClientCredentials,
    extra: Partial<ParleyClientOptions> = {},
  ): ParleyClient {
    const client = new ParleyClient({
      url: target.url,
      transport,
      credentials,
      requestTimeoutMs: 15_000,
      ...extra,
    });
    this.add(() => client.close());
    return client;
  }

  add(close: () => void): void {
    this.closers.add(close);
  }

  closeAll(): void {
    for (const close of this.closers) {
      try {
        close();
      } catch {
        // already closed
      }
    }
    this.closers.clear();
  }
}

/**
 * Waits until every node hears every other one over the bus: a guest on each node joins one room, and the
 * room's members, asked on each node, list all of them.
 */
export async function waitForMesh(cluster: Cluster, timeoutMs = 60_000): Promise<void> {
  const room = unique('mesh');
  await createRoom(cluster.nodes[0] as ClusterNode, room);
  const clients = new ClusterClients();
  try {
    const probes = await Promise.all(
      cluster.nodes.map(async (node) => {
        const client = clients.native(node, 'ws', { guest: unique('probe') }, { reconnect: false });
        await client.connect();
        await client.join(room);
        return client;
      }),
    );
    await waitFor(
      async () => {
        const counts = await Promise.all(probes.map(async (c) => (await c.members(room)).length));
        return counts.every((n) => n === probes.length);
      },
      { timeoutMs, intervalMs: 50, label: 'every node to see every other node' },
    );
  } finally {
    clients.closeAll();
  }
}
