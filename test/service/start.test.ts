/**
 * Starting and stopping like a service (docs/deploy.md, "Running as a service"). Each way of starting Parley that
 * the repository documents (`npm start`, the Procfile's command) is started in a process group of its own, with
 * a client connected, then stopped the two ways supervisors stop things: a SIGTERM to the process they started
 * (a container runtime, systemd's KillMode=mixed) and to the whole group (systemd's default, a terminal's
 * Ctrl-C, Procfile hosts). Every time: the client is closed with 1001, the process exits 0 and nothing of the
 * tree is left.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { buildNeeded } from '../../scripts/build-stamp.mjs';
import { childEnv, makeTempDir, REPO_ROOT } from '../helpers/server.js';
import { once, waitFor } from '../helpers/wait.js';
import { alive, cleanUp, groupMembers, launch, procfileCommand, type Launched } from './launch.js';

const run = promisify(execFile);

let dataDir = '';
const launches: Launched[] = [];

beforeAll(async () => {
  dataDir = await makeTempDir('parley-service-');
  // A fresh checkout has no build; CI's install builds (prepare). Build once here so that every start below is
  // the quick one (a build on a busy machine takes minutes).
  if ((await buildNeeded()).build) {
    await run('npm', ['run', 'build'], { cwd: REPO_ROOT, env: childEnv(), maxBuffer: 64 * 1024 * 1024 });
  }
}, 600_000);

afterEach(async () => {
  for (const launched of launches.splice(0)) await cleanUp(launched);
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const ENV = () => ({
  PARLEY_HOST: '127.0.0.1',
  PARLEY_PORT: '0',
  PARLEY_DATA_DIR: dataDir,
  PARLEY_ADMIN_KEY: 'service-test-admin-key-0123456789',
});

async function start(argv: string[]): Promise<Launched> {
  const launched = await launch(argv, ENV());
  launches.push(launched);
  return launched;
}

/** Signals the launch as a supervisor would, and checks the drain, the exit status and that nothing is left. */
async function stopAndCheck(launched: Launched, signal: NodeJS.Signals, target: 'process' | 'group') {
  const client = new WebSocket(`${launched.url.replace(/^http/, 'ws')}/ws?guest=watcher`);
  await once(client, 'open', { rejectOn: ['error'] });
  const closed = once<[number, Buffer]>(client, 'close', { timeoutMs: 20_000 });

  process.kill(target === 'group' ? -launched.pid : launched.pid, signal);

  const [code, reason] = await closed;
  expect(code).toBe(1001);
  expect(reason.toString()).toBe('shutdown');
  expect(await launched.exited).toEqual({ code: 0, signal: null });
  // Whatever the launched process started is gone too: no orphan under another parent.
  await waitFor(() => !launched.tree.some(alive), { timeoutMs: 5000, label: 'the process tree to be gone' });
  expect(await groupMembers(launched.pid)).toEqual([]);
  expect(launched.stderr).not.toMatch(/exiting now/);
}

describe('npm start', () => {
  it('does not rebuild when the sources have not changed since the last build, and says so', async () => {
    const launched = await start(['npm', 'start']);
    expect(launched.stderr).toContain('parley: build is up to date (sources unchanged since the last build)');
    expect(launched.stderr).not.toContain('parley: building');
    await stopAndCheck(launched, 'SIGTERM', 'process');
  });

  it("is Parley itself under npm: npm's child is the server, not a shell", async () => {
    const launched = await start(['npm', 'start']);
    // npm and the server: nothing in between that a signal could kill and leave the server behind.
    expect(launched.tree).toHaveLength(2);
    const { stdout } = await run('ps', [
      '-o',
      'ppid=,args=',
      '-p',
      String(launched.tree.find((p) => p !== launched.pid)),
    ]);
    expect(stdout.trim()).toMatch(new RegExp(`^${launched.pid}\\s+node\\b.*scripts/start\\.mjs`));
    await stopAndCheck(launched, 'SIGTERM', 'process');
  });

  it("SIGTERM to npm's process alone: Parley drains, npm exits 0, no orphan", async () => {
    await stopAndCheck(await start(['npm', 'start']), 'SIGTERM', 'process');
  });

  it('SIGTERM to the whole process group: Parley drains once, npm exits 0, no orphan', async () => {
    await stopAndCheck(await start(['npm', 'start']), 'SIGTERM', 'group');
  });

  it('SIGINT to the group (Ctrl-C in a terminal): the same', async () => {
    await stopAndCheck(await start(['npm', 'start']), 'SIGINT', 'group');
  });
});

describe("the Procfile's command", () => {
  it('SIGTERM to the process: Parley drains and exits 0', async () => {
    await stopAndCheck(await start(await procfileCommand()), 'SIGTERM', 'process');
  });

  it('SIGTERM to the group: the same', async () => {
    await stopAndCheck(await start(await procfileCommand()), 'SIGTERM', 'group');
  });
});
