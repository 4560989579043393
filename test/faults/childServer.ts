/**
 * A Parley server in a child process for the fault suite, so that its RSS and descriptors are its own and a
 * test can signal it: its own data directory, an admin key, and what the cases read of it from outside.
 */
import { rm } from 'node:fs/promises';
import { makeTempDir, spawnServer, type SpawnedServer } from '../helpers/server.js';
import { openFds, rssBytes } from './report.js';

export const CHILD_ADMIN_KEY = 'fault-suite-admin-key-0123456789abcdef';

export interface ChildServer {
  url: string;
  port: number;
  pid: number;
  spawned: SpawnedServer;
  /** An admin API call; throws on a non-2xx answer. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** A counter or gauge from /metrics (summed over its labels). */
  metric(name: string): Promise<number>;
  rss(): Promise<number>;
  fds(): Promise<number>;
  /** Kills the server (if still running) and removes its data directory. */
  dispose(): Promise<void>;
}

export async function startChildServer(env: Record<string, string> = {}): Promise<ChildServer> {
  const dataDir = await makeTempDir('parley-fault-');
  let spawned: SpawnedServer;
  try {
    spawned = await spawnServer({ dataDir, env: { PARLEY_ADMIN_KEY: CHILD_ADMIN_KEY, ...env } });
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const pid = spawned.child.pid as number;
  const headers = { authorization: `Bearer ${CHILD_ADMIN_KEY}` };
  return {
    url: spawned.url,
    port: spawned.port,
    pid,
    spawned,
    async api<T>(method: string, path: string, body?: unknown): Promise<T> {
      const init: RequestInit = { method, headers };
      if (body !== undefined) {
        init.headers = { ...headers, 'content-type': 'application/json' };
        init.body = JSON.stringify(body);
      }
      const res = await fetch(`${spawned.url}${path}`, init);
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
      return (text ? JSON.parse(text) : null) as T;
    },
    async metric(name: string): Promise<number> {
      const text = await (await fetch(`${spawned.url}/metrics`, { headers })).text();
      return text
        .split('\n')
        .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    },
    rss: () => rssBytes(pid),
    fds: () => openFds(pid),
    async dispose() {
      if (spawned.child.exitCode === null && spawned.child.signalCode === null) spawned.kill('SIGKILL');
      await spawned.exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
