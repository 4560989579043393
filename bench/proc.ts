/**
 * Spawning the benchmark's processes: pinned to a core with `taskset -c` when that is possible, always with an
 * IPC channel, their output kept (the tail) for error messages.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

let tasksetChecked: boolean | null = null;

/** True when `taskset` works and there are at least two cores to pin to. */
export function canPin(): boolean {
  if (tasksetChecked === null) {
    const probe = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    tasksetChecked = probe.status === 0 && availableParallelism() >= 2;
  }
  return tasksetChecked;
}

export interface Spawned {
  child: ChildProcess;
  pid: number;
  output(): string;
  exited: Promise<number | null>;
}

const TAIL = 64 * 1024;

const RAISE_OPEN_FILES = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 1048576 2>/dev/null; exec "$@"';

/** The open-files limit (soft, hard) this process's children start with; null where `sh` cannot say. */
export function childOpenFilesLimit(): { soft: number | null; hard: number | null } {
  const probe = spawnSync(
    'sh',
    ['-c', `${RAISE_OPEN_FILES.replace(/; exec.*$/, '')}; ulimit -Sn; ulimit -Hn`],
    {
      encoding: 'utf8',
    },
  );
  const [soft, hard] = probe.stdout
    .trim()
    .split('\n')
    .map((line) => (line === 'unlimited' ? Infinity : Number(line)));
  const valid = (n: number | undefined) => (n !== undefined && !Number.isNaN(n) ? n : null);
  return { soft: valid(soft), hard: valid(hard) };
}

export function spawnNode(
  nodeArgs: string[],
  opts: { cpu: string | null; env?: NodeJS.ProcessEnv; onStdout?: (text: string) => void },
): Spawned {
  const inner = opts.cpu !== null ? ['taskset', '-c', opts.cpu, process.execPath] : [process.execPath];
  // The soft open-files limit is raised to the hard one (allowed without privileges): S1L's server and load
  // generator each hold one descriptor per connection. `exec` keeps the pid that of the process itself.
  const command = 'sh';
  const args = ['-c', RAISE_OPEN_FILES, 'sh', ...inner, ...nodeArgs];
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let tail = '';
  const keep = (chunk: string) => {
    tail = (tail + chunk).slice(-TAIL);
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    keep(chunk);
    opts.onStdout?.(chunk);
  });
  child.stderr?.setEncoding('utf8').on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  running.add(child);
  void exited.then(() => running.delete(child));
  return { child, pid: child.pid, output: () => tail, exited };
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(spawned: Spawned, graceMs = 15_000): Promise<void> {
  if (spawned.child.exitCode !== null || spawned.child.signalCode !== null) return;
  spawned.child.kill('SIGTERM');
  const timer = setTimeout(() => spawned.child.kill('SIGKILL'), graceMs);
  await spawned.exited;
  clearTimeout(timer);
}

/** Resolves with the first match of `pattern` in the process's stdout, or rejects when it exits or times out. */
export function waitForLine(spawned: Spawned, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      reject(new Error(`no ${String(pattern)} within ${timeoutMs} ms; output:\n${spawned.output()}`));
    }, timeoutMs);
    const onData = (chunk: string) => {
      buffer += chunk;
      const match = pattern.exec(buffer);
      if (match) {
        clearTimeout(timer);
        spawned.child.stdout?.off('data', onData);
        resolve(match);
      }
    };
    spawned.child.stdout?.on('data', onData);
    void spawned.exited.then((code) => {
      clearTimeout(timer);
      reject(
        new Error(`process exited (${String(code)}) before ${String(pattern)}; output:\n${spawned.output()}`),
      );
    });
  });
}

/** The environment for a child, without any PARLEY_* or PORT settings of the caller. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'PORT' || key.startsWith('PARLEY_') || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}
