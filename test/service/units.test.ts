/**
 * The service definitions in the repository: deploy/parley.service (systemd) and the Procfile. The unit is checked
 * by systemd's own verifier where it is installed, and both must run the command that test/service/start.test.ts
 * stops with signals (the Procfile's, which the unit runs with node's full path).
 */
import { execFile } from 'node:child_process';
import { access, constants, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/load.js';
import { procfileCommand } from './launch.js';

const run = promisify(execFile);
const UNIT = new URL('../../deploy/parley.service', import.meta.url);

/** The unit's [Service] settings, each key with every value it is given (Environment= may repeat). */
async function serviceSection(): Promise<Map<string, string[]>> {
  const text = await readFile(UNIT, 'utf8');
  const settings = new Map<string, string[]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1] as string;
      continue;
    }
    const eq = line.indexOf('=');
    if (section !== 'Service' || eq < 0) continue;
    const key = line.slice(0, eq);
    settings.set(key, [...(settings.get(key) ?? []), line.slice(eq + 1)]);
  }
  return settings;
}

async function which(command: string): Promise<string | null> {
  try {
    return (await run('sh', ['-c', `command -v ${command}`])).stdout.trim() || null;
  } catch {
    return null;
  }
}

const systemdAnalyze = await which('systemd-analyze');

describe('deploy/parley.service', () => {
  it.skipIf(systemdAnalyze === null)(
    'passes `systemd-analyze verify` with no warning (skipped where systemd-analyze is not installed)',
    async () => {
      const settings = await serviceSection();
      const node = (settings.get('ExecStart')?.[0] ?? '').split(/\s+/)[0] as string;
      let unit = UNIT.pathname;
      let dir: string | null = null;
      // The verifier checks that ExecStart's program exists; where node lives elsewhere, check a copy that names
      // this machine's node instead (the only line that changes).
      const nodeHere = await access(node, constants.X_OK).then(
        () => true,
        () => false,
      );
      if (!nodeHere) {
        dir = await mkdtemp(join(tmpdir(), 'parley-unit-'));
        unit = join(dir, 'parley.service');
        const text = await readFile(UNIT, 'utf8');
        await writeFile(unit, text.replace(`ExecStart=${node} `, `ExecStart=${process.execPath} `));
      }
      try {
        const { stdout, stderr } = await run(systemdAnalyze as string, ['verify', unit]);
        expect(stdout + stderr).toBe('');
      } finally {
        if (dir) await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it("runs the Procfile's command with node's full path, as a non-root user, stopped by SIGTERM", async () => {
    const settings = await serviceSection();
    const [program, ...args] = (settings.get('ExecStart')?.[0] ?? '').split(/\s+/);
    const [procNode, ...procArgs] = await procfileCommand();
    expect(procNode).toBe('node');
    expect(program).toMatch(/^\/.*\/node$/);
    expect(args).toEqual(procArgs);
    expect(settings.get('WorkingDirectory')).toHaveLength(1);
    expect(settings.get('User')?.[0]).toMatch(/^(?!root$)\w+/);
    expect(settings.get('KillSignal')).toEqual(['SIGTERM']);
    expect(settings.get('Restart')).toEqual(['on-failure']);
    // systemd's SIGKILL must come after Parley's own shutdown deadline, not cut a drain short.
    const stopSeconds = Number(settings.get('TimeoutStopSec')?.[0]);
    expect(stopSeconds * 1000).toBeGreaterThan(defaultConfig().shutdownTimeoutMs);
    // Parley's settings are set through the environment, with names it knows.
    const env = (settings.get('Environment') ?? []).map((assignment) => assignment.split('=')[0]);
    expect(env).toEqual(expect.arrayContaining(['PARLEY_PORT', 'PARLEY_DATA_DIR']));
  });
});

describe('Procfile', () => {
  it('runs bin/parley.js serve with node, the command that the signal tests stop', async () => {
    expect(await procfileCommand()).toEqual(['node', 'bin/parley.js', 'serve']);
  });
});
