/**
 * The soak's servers: `parley serve` child processes. One node keeps its data in SQLite in a temp directory;
 * three nodes share a PostgreSQL schema of the soak's own and a Redis of the soak's own (a redis-server on a free
 * port: the bus channel has no prefix, so the machine's shared Redis would mix the soak with other runs).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, spawnNode, stopProcess, waitForLine, type Spawned } from '../../../bench/proc.js';
import {
  benchDatabaseUrl,
  dropSchema,
  postgresReachable,
  startRedis,
  type OwnRedis,
} from '../../../bench/servers/cluster.js';
import { parleyRunsFrom } from '../../../bench/servers/index.js';

export const SOAK_ADMIN_KEY = 'parley-soak-admin-key-0123456789ab';
const LISTENING = /listening on (http:\/\/[^\s"]+).*\r?\n/;

export interface SoakNode {
  pid: number;
  url: string;
  output(): string;
  exited: Promise<number | null>;
}

export interface SoakCluster {
  nodes: SoakNode[];
  /** `sqlite` or `postgresql + redis`, for the report. */
  storage: string;
  createRooms(names: string[]): Promise<void>;
  stop(): Promise<void>;
}

async function admin(url: string, method: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${SOAK_ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export async function startCluster(count: number): Promise<SoakCluster> {
  const spawned: Spawned[] = [];
  const dirs: string[] = [];
  let redis: OwnRedis | null = null;
  const databaseUrl = benchDatabaseUrl();
  const schema = `parley_soak_${process.pid}_${Date.now().toString(36)}`;
  const shared = count > 1;
  const stop = async () => {
    await Promise.allSettled(spawned.map((s) => stopProcess(s)));
    await Promise.allSettled(dirs.map((d) => rm(d, { recursive: true, force: true })));
    await redis?.stop();
    if (shared) await dropSchema(databaseUrl, schema).catch(() => {});
  };
  try {
    const cluster: Record<string, string> = {};
    if (shared) {
      if (!(await postgresReachable(databaseUrl))) throw new Error('PostgreSQL is not reachable');
      redis = await startRedis();
      if (!redis) throw new Error('redis-server cannot be run');
      Object.assign(cluster, {
        PARLEY_DATABASE_URL: databaseUrl,
        PARLEY_DATABASE_SCHEMA: schema,
        PARLEY_REDIS_URL: redis.url,
      });
    }
    const nodes: SoakNode[] = [];
    for (let i = 0; i < count; i++) {
      const dataDir = await mkdtemp(join(tmpdir(), 'parley-soak-'));
      dirs.push(dataDir);
      const env = cleanEnv({ PARLEY_ADMIN_KEY: SOAK_ADMIN_KEY, PARLEY_LOG_LEVEL: 'warn', ...cluster });
      const args = ['--import', 'tsx', parleyRunsFrom(), 'serve', '--host', '127.0.0.1', '--port', '0'];
      const child = spawnNode([...args, '--data', dataDir], { cpu: null, env });
      spawned.push(child);
      const match = await waitForLine(child, LISTENING, 90_000);
      nodes.push({ pid: child.pid, url: match[1] as string, output: child.output, exited: child.exited });
    }
    const first = nodes[0] as SoakNode;
    return {
      nodes,
      storage: shared ? 'PostgreSQL + Redis' : 'SQLite',
      async createRooms(names) {
        for (const name of names) {
          const res = await admin(first.url, 'POST', '/api/v1/apps/1/rooms', { name });
          if (!res.ok && res.status !== 409)
            throw new Error(`create room ${name}: ${res.status} ${await res.text()}`);
          await res.arrayBuffer();
        }
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
