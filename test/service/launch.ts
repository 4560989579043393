/**
 * Parley started the way a supervisor starts it: a command line (`npm start`, the Procfile's, the systemd unit's)
 * in a process group of its own, so that a test can signal the process it started or the whole group and then
 * check that nothing of the tree is left.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { childEnv, LISTENING, REPO_ROOT } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const run = promisify(execFile);

export interface Launched {
  /** The process the command started (npm for `npm start`), leader of its own process group. */
  child: ChildProcess;
  pid: number;
  url: string;
  /** Every process of the group once the server listened: the launched process and what it started. */
  tree: number[];
  readonly stdout: string;
  readonly stderr: string;
  /** The launched process's exit (not its pipes': an orphan holding them must not hide the exit). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const launched = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of launched) if (child.pid !== undefined) killGroup(child.pid);
});

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // Nothing left.
  }
}

/** The pids of the processes whose process group is `pgid`. */
export async function groupMembers(pgid: number): Promise<number[]> {
  const { stdout } = await run('ps', ['-e', '-o', 'pid=,pgid=']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([pid, group]) => group === pgid && pid !== undefined && Number.isInteger(pid))
    .map(([pid]) => pid as number);
}

/** Whether a process with this pid exists (a zombie counts: it has not been reaped by its parent). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/**
 * Runs `argv` in the repository with a clean environment plus `env`, in a new process group, and resolves once
 * Parley's startup line is on standard output.
 */
export async function launch(
  argv: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<Launched> {
  const [command, ...args] = argv;
  if (command === undefined) throw new Error('empty command');
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  launched.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  void exited.then(() => launched.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let ended = false;
  void exited.then(() => (ended = true));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${argv.join(' ')}`);
  try {
    const match = await waitFor(() => (ended ? 'exited' : LISTENING.exec(stdout)), {
      timeoutMs,
      intervalMs: 25,
      label: `${argv.join(' ')} to listen`,
    });
    if (match === 'exited') throw new Error(`exited before listening\nstdout: ${stdout}\nstderr: ${stderr}`);
    return {
      child,
      pid,
      url: match[1] as string,
      tree: await groupMembers(pid),
      get stdout() {
        return stdout;
      },
      get stderr() {
        return stderr;
      },
      exited,
    };
  } catch (err) {
    killGroup(pid);
    throw err;
  }
}

/** Ends whatever is left of a launch (after a failed test). */
export async function cleanUp(launch: Launched): Promise<void> {
  if (launch.tree.some(alive)) killGroup(launch.pid);
  for (const pid of launch.tree) if (alive(pid)) process.kill(pid, 'SIGKILL');
  await launch.exited;
}

/** The command line of the Procfile's `web` process, as words (it has no quoting or shell syntax). */
export async function procfileCommand(): Promise<string[]> {
  const procfile = await readFile(new URL('../../Procfile', import.meta.url), 'utf8');
  const web = /^web:\s*(.+)$/m.exec(procfile)?.[1];
  if (!web) throw new Error('the Procfile has no web process');
  if (/["'$`\\|&;<>]/.test(web)) throw new Error(`the Procfile's web command needs a shell: ${web}`);
  return web.trim().split(/\s+/);
}
