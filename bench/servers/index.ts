/**
 * The four targets, each started in its own process(es) for a run and stopped after it:
 *
 * - parley-ws / parley-sio / parley-<dialect>: `parley serve` (compiled to dist/ first, see useCompiledParley) with a temp data dir (SQLite, persistence on) or,
 *   for S4, PostgreSQL and Redis; PARLEY_ADMIN_KEY set, the flood limit raised through the admin API, guests
 *   allowed to write. The two framings are two targets on separate server processes.
 * - baseline-sio / baseline-ws: the tiny servers next to this file (baseline-ws frames with Parley's textFrame).
 *
 * Every server process loads the bench hook (hook.ts) for heap, GC and event-loop delay over IPC.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { canPin, cleanEnv, REPO_ROOT, spawnNode, stopProcess, waitForLine, type Spawned } from '../proc.js';
import type { HookReply, HookRequest, ServerStats, TargetName } from '../types.js';
import { isParley, protocolOf } from '../types.js';

export const BENCH_ADMIN_KEY = 'parley-bench-admin-key-0123456789';
const HOOK_URL = pathToFileURL(join(REPO_ROOT, 'bench/servers/hook.ts')).href;
// Parley's is a JSON log line (`"msg":"parley listening on …"`), the baselines' plain text.
const LISTENING = /listening on (http:\/\/[^\s"]+).*\r?\n/;
const START_TIMEOUT_MS = 90_000;

/** Settings of app 1 for every Parley target: no flood or operation limit in the way, guests may write, big frames for S6. */
export const BENCH_APP_SETTINGS = {
  flood: { burst: 100_000, perSecond: 100_000 },
  // S3R's users read and react as fast as messages arrive (a few per second each), above the defaults.
  limits: { read: { burst: 100_000, perSecond: 100_000 }, react: { burst: 100_000, perSecond: 100_000 } },
  allowGuests: true,
  guestsCanWrite: true,
  maxMessageLength: 100_000,
  // S1L holds every connection as a guest of its own: more than the default 10,000 an app keeps.
  maxGuests: 1_000_000,
};

export interface ServerNode {
  readonly pid: number;
  readonly url: string;
  stats(opts?: { gc?: boolean; resetEld?: boolean }): Promise<ServerStats>;
  profileStart(): Promise<void>;
  profileStop(file: string): Promise<void>;
  heapSnapshot(file: string): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

export interface Target {
  readonly name: TargetName;
  readonly protocol: 'ws' | 'sio';
  readonly nodes: ServerNode[];
  /** Client-facing URLs (one per node). */
  readonly urls: string[];
  readonly pids: number[];
  /** Rooms must exist before clients join them (Parley: created through the admin API). */
  ensureRooms(names: string[]): Promise<void>;
  /** Parley: slow consumers disconnected so far (parley_slow_consumers_total); null for the baselines. */
  slowConsumers(): Promise<number | null>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  redisUrl: string | null;
  databaseUrl: string | null;
  databaseSchema: string | null;
}

export interface StartOptions {
  /** taskset CPU list for the server process(es), e.g. "0"; null: not pinned. */
  cpu: string | null;
  /** Number of nodes (2 for S4). */
  nodes?: number;
  cluster?: ClusterOptions;
  /** Extra environment for Parley's processes (S1L lifts the node-wide connect rate limit). */
  env?: Record<string, string>;
}

/**
 * What `parley serve` runs from: the compiled output by default, as `npm start` does. Run from the TypeScript
 * source (tsx) it is slower and bigger than what users run: esbuild's keepNames gives every function a `name`
 * property of its own, which puts each closure's properties in dictionary mode.
 */
let parleyEntry = 'src/cli/main.ts';

/** Compiles Parley (`tsc -p tsconfig.build.json`, as `npm run build` does) and starts it from dist/. */
export function useCompiledParley(): void {
  const built = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    },
  );
  if (built.status !== 0) throw new Error(`building Parley failed:\n${built.stdout}${built.stderr}`);
  parleyEntry = 'dist/cli/main.js';
}

export function parleyRunsFrom(): string {
  return parleyEntry;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function hookClient(spawned: Spawned) {
  let nextId = 1;
  const waiting = new Map<number, (reply: HookReply) => void>();
  spawned.child.on('message', (raw: unknown) => {
    const reply = raw as HookReply;
    if (reply.hook !== 'reply') return;
    waiting.get(reply.id)?.(reply);
    waiting.delete(reply.id);
  });
  return (request: DistributiveOmit<HookRequest, 'id'>, timeoutMs = 30_000): Promise<HookReply> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`bench hook: no answer to ${request.hook} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, (reply) => {
        clearTimeout(timer);
        if (reply.error) reject(new Error(`bench hook: ${reply.error}`));
        else resolve(reply);
      });
      spawned.child.send({ ...request, id } as HookRequest);
    });
}

async function startNode(
  nodeArgs: string[],
  env: NodeJS.ProcessEnv,
  cpu: string | null,
): Promise<ServerNode> {
  const spawned = spawnNode(nodeArgs, { cpu: canPin() ? cpu : null, env });
  const match = await waitForLine(spawned, LISTENING, START_TIMEOUT_MS);
  const call = hookClient(spawned);
  return {
    pid: spawned.pid,
    url: match[1] as string,
    async stats(opts = {}) {
      const reply = await call(
        { hook: 'stats', gc: opts.gc ?? false, resetEld: opts.resetEld ?? false },
        120_000,
      );
      if (!reply.stats) throw new Error('bench hook: no stats');
      return reply.stats;
    },
    async profileStart() {
      await call({ hook: 'profile-start', intervalUs: 500 });
    },
    async profileStop(file) {
      await call({ hook: 'profile-stop', file }, 120_000);
    },
    async heapSnapshot(file) {
      await call({ hook: 'heap-snapshot', file }, 300_000);
    },
    output: () => spawned.output(),
    stop: () => stopProcess(spawned),
  };
}

async function admin(url: string, method: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function startParley(name: TargetName, opts: StartOptions): Promise<Target> {
  const count = opts.nodes ?? 1;
  const dataDirs: string[] = [];
  const nodes: ServerNode[] = [];
  const cluster = opts.cluster;
  try {
    for (let i = 0; i < count; i++) {
      const dataDir = await mkdtemp(join(tmpdir(), 'parley-bench-'));
      dataDirs.push(dataDir);
      const env = cleanEnv({
        PARLEY_ADMIN_KEY: BENCH_ADMIN_KEY,
        PARLEY_LOG_LEVEL: 'warn',
        // A1's attacker comes through loopback as a proxy would, named by X-Forwarded-For; the load generator
        // sends no such header, so it stays a loopback peer, exempt from per-address limits as before.
        PARLEY_TRUSTED_PROXIES: 'loopback',
        // BENCH_SQLITE_WRITER=inline|worker compares the two SQLite message writers (docs/benchmarks.md, S3); the
        // caller's PARLEY_* settings never reach the server, so the bench has its own name for it.
        ...(process.env.BENCH_SQLITE_WRITER ? { PARLEY_SQLITE_WRITER: process.env.BENCH_SQLITE_WRITER } : {}),
        ...opts.env,
        ...(cluster?.redisUrl ? { PARLEY_REDIS_URL: cluster.redisUrl } : {}),
        ...(cluster?.databaseUrl ? { PARLEY_DATABASE_URL: cluster.databaseUrl } : {}),
        ...(cluster?.databaseSchema ? { PARLEY_DATABASE_SCHEMA: cluster.databaseSchema } : {}),
      });
      const args = ['--expose-gc', '--import', 'tsx', '--import', HOOK_URL, parleyEntry, 'serve'];
      args.push('--host', '127.0.0.1', '--port', '0', '--data', dataDir);
      nodes.push(await startNode(args, env, opts.cpu));
    }
    // Nodes on one database share the settings; nodes on their own SQLite files each need them.
    for (const node of cluster?.databaseUrl ? nodes.slice(0, 1) : nodes) {
      const patched = await admin(node.url, 'PATCH', '/api/v1/apps/1', { settings: BENCH_APP_SETTINGS });
      if (!patched.ok) throw new Error(`PATCH /api/v1/apps/1: ${patched.status} ${await patched.text()}`);
    }
  } catch (err) {
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await Promise.allSettled(dataDirs.map((d) => rm(d, { recursive: true, force: true })));
    throw err;
  }

  const created = new Set<string>();
  return {
    name,
    protocol: protocolOf(name),
    nodes,
    urls: nodes.map((n) => n.url),
    pids: nodes.map((n) => n.pid),
    async ensureRooms(names) {
      const url = (nodes[0] as ServerNode).url;
      const todo = names.filter((n) => !created.has(n));
      let next = 0;
      const worker = async () => {
        while (next < todo.length) {
          const room = todo[next++] as string;
          const res = await admin(url, 'POST', '/api/v1/apps/1/rooms', { name: room });
          if (!res.ok && res.status !== 409)
            throw new Error(`create room ${room}: ${res.status} ${await res.text()}`);
          await res.arrayBuffer();
          created.add(room);
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
    },
    async slowConsumers() {
      let total = 0;
      for (const node of nodes) {
        const res = await fetch(`${node.url}/metrics`);
        const text = await res.text();
        const match = /^parley_slow_consumers_total\s+(\d+)/m.exec(text);
        total += match ? Number(match[1]) : 0;
      }
      return total;
    },
    async stop() {
      await Promise.allSettled(nodes.map((n) => n.stop()));
      await Promise.allSettled(dataDirs.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

async function startBaseline(name: TargetName, opts: StartOptions): Promise<Target> {
  const script = name === 'baseline-ws' ? 'bench/servers/baseline-ws.ts' : 'bench/servers/baseline-sio.ts';
  const nodes: ServerNode[] = [];
  const redisUrl = opts.cluster?.redisUrl ?? null;
  try {
    for (let i = 0; i < (opts.nodes ?? 1); i++) {
      const args = ['--expose-gc', '--import', 'tsx', script, '--port', '0'];
      if (redisUrl) args.push('--redis', redisUrl);
      nodes.push(await startNode(args, cleanEnv(), opts.cpu));
    }
  } catch (err) {
    await Promise.allSettled(nodes.map((n) => n.stop()));
    throw err;
  }
  return {
    name,
    protocol: protocolOf(name),
    nodes,
    urls: nodes.map((n) => n.url),
    pids: nodes.map((n) => n.pid),
    ensureRooms: async () => {},
    slowConsumers: async () => null,
    async stop() {
      await Promise.allSettled(nodes.map((n) => n.stop()));
    },
  };
}

export function startTarget(name: TargetName, opts: StartOptions): Promise<Target> {
  // The dialect targets are the same `parley serve`: their clients speak another protocol to it.
  return isParley(name) ? startParley(name, opts) : startBaseline(name, opts);
}
