import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../../src/config/load.js';
import { DEFAULT_OPERATION_LIMITS } from '../../src/core/operationLimits.js';
import type { ServerConfig } from '../../src/config/types.js';
import type { EngineConfig } from '../../src/engine/config.js';
import { startServer, type RunningServer, type StartOptions } from '../../src/server.js';

/** The repository root (where package.json and src/ are). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The admin key of every in-process test server unless a test overrides it. */
export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export type TestServerOverrides = Partial<Omit<ServerConfig, 'engine'>> & { engine?: Partial<EngineConfig> };

export interface TestServer {
  url: string;
  port: number;
  adminKey: string;
  dataDir: string;
  server: RunningServer;
  /** Stops the server and deletes its data directory (unless the test passed its own dataDir). */
  close(): Promise<void>;
}

/** A rate limit no test reaches. */
export const UNREACHED_LIMIT = { burst: 100_000, perSecond: 100_000 };

/** The app's `limits` setting with every operation at UNREACHED_LIMIT. */
export function unreachedLimits(): Record<string, typeof UNREACHED_LIMIT> {
  return Object.fromEntries(Object.keys(DEFAULT_OPERATION_LIMITS).map((op) => [op, UNREACHED_LIMIT]));
}

export async function makeTempDir(prefix = 'parley-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** A Parley server in this process on 127.0.0.1 and a free port, with a fresh data directory and no logs. */
export async function startTestServer(
  overrides: TestServerOverrides = {},
  options: StartOptions = {},
): Promise<TestServer> {
  const { engine: engineOverrides, ...serverOverrides } = overrides;
  const ownDir = serverOverrides.dataDir === undefined;
  const dataDir = serverOverrides.dataDir ?? (await makeTempDir());
  const base = defaultConfig();
  const config: ServerConfig = {
    ...base,
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    adminKey: TEST_ADMIN_KEY,
    ...serverOverrides,
    dataDir,
    // App-wide presence told at once, as one batch per change, so that tests of other things see it in the
    // order it happened; the batching itself is tested with a window of its own (test/faults/rate-limits).
    engine: { ...base.engine, presenceBatchMs: 0, ...engineOverrides },
  };
  let server: RunningServer;
  try {
    server = await startServer(config, options);
  } catch (err) {
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  let closed: Promise<void> | null = null;
  return {
    url: server.url,
    port: server.port,
    adminKey: server.adminKey,
    dataDir,
    server,
    close() {
      closed ??= (async () => {
        await server.close();
        if (ownDir) await rm(dataDir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}

export interface SpawnedServer {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the child wrote so far. */
  readonly stdout: string;
  readonly stderr: string;
  kill(signal?: NodeJS.Signals): boolean;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SpawnOptions {
  dataDir: string;
  /** Defaults to 0: the helper reads the bound port from the startup line. */
  port?: number;
  /** Added to a clean environment (PARLEY_* and PORT from the test runner's environment are dropped). */
  env?: Record<string, string>;
  /** Extra arguments after `serve`. */
  args?: string[];
  /** How long to wait for the startup line (default 20 s). */
  timeoutMs?: number;
}

/**
 * The startup line, a JSON log line written whatever the log level; the newline is required so that a line
 * split across chunks is never half-read.
 */
export const LISTENING = /^\{.*"msg":"parley listening on (http:\/\/[^\s"]+?:(\d+))".*\}\r?\n/m;

/** The environment for a child CLI: the runner's, minus any Parley settings, plus `extra`. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'PORT' || key.startsWith('PARLEY_')) continue;
    env[key] = value;
  }
  return { ...env, PARLEY_LOG_LEVEL: 'warn', ...extra };
}

/** Runs the CLI from source: `node --import tsx src/cli/main.ts <args>`. */
export function runCli(
  args: string[],
  opts: { env?: Record<string, string> } = {},
): {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: REPO_ROOT,
    env: childEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, exited };
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * `parley serve` in a child process on 127.0.0.1; resolves once the startup line is printed (no sleeps), with
 * the port parsed from it.
 */
export function spawnServer(opts: SpawnOptions): Promise<SpawnedServer> {
  const args = [
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    String(opts.port ?? 0),
    '--data',
    opts.dataDir,
    ...(opts.args ?? []),
  ];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: REPO_ROOT,
    env: childEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );

  return new Promise<SpawnedServer>((resolve, reject) => {
    const timeoutMs = opts.timeoutMs ?? 20_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`parley did not start within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    let started = false;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (started) return;
      const match = LISTENING.exec(stdout);
      if (!match) return;
      started = true;
      clearTimeout(timer);
      resolve({
        url: match[1] as string,
        port: Number(match[2]),
        child,
        get stdout() {
          return stdout;
        },
        get stderr() {
          return stderr;
        },
        kill: (signal: NodeJS.Signals = 'SIGTERM') => child.kill(signal),
        exited,
      });
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    void exited.then(({ code, signal }) => {
      if (started) return;
      clearTimeout(timer);
      reject(
        new Error(
          `parley exited before starting (code ${code}, signal ${signal})\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    });
  });
}
