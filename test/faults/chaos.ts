/**
 * `npm run chaos`: the fault and attack suite in its long form (PARLEY_CHAOS=1), its outcomes collected from
 * every test file (PARLEY_FAULT_REPORT) and written into docs/reliability.md between the faults markers.
 * Exits non-zero when a test failed, after writing what was measured.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { parseOutcomes, renderFaults, spliceFaults, type RunSummary } from './render.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGE = join(ROOT, 'docs/reliability.md');

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

function runVitest(env: NodeJS.ProcessEnv, jsonFile: string, extraArgs: string[]): Promise<number | null> {
  const args = ['vitest', 'run', 'test/faults', '--reporter=default', '--reporter=json'];
  args.push(`--outputFile.json=${jsonFile}`, ...extraArgs);
  const child = spawn('npx', args, { cwd: ROOT, env, stdio: 'inherit' });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-chaos-'));
  try {
    const reportFile = join(dir, 'outcomes.jsonl');
    const jsonFile = join(dir, 'vitest.json');
    await writeFile(reportFile, '');
    const started = Date.now();
    const env = { ...process.env, PARLEY_CHAOS: '1', PARLEY_FAULT_REPORT: reportFile };
    const code = await runVitest(env, jsonFile, process.argv.slice(2));
    const tests = JSON.parse(await readFile(jsonFile, 'utf8').catch(() => '{}')) as Partial<VitestJson>;
    const run: RunSummary = {
      date: new Date().toISOString().slice(0, 10),
      commit: commit(),
      cores: availableParallelism(),
      node: process.version,
      tests: {
        passed: tests.numPassedTests ?? 0,
        failed: tests.numFailedTests ?? 0,
        skipped: (tests.numPendingTests ?? 0) + (tests.numTodoTests ?? 0),
      },
      durationSec: Math.round((Date.now() - started) / 1000),
    };
    const outcomes = parseOutcomes(await readFile(reportFile, 'utf8'));
    const page = spliceFaults(await readFile(PAGE, 'utf8'), renderFaults(outcomes, run));
    const options = (await prettier.resolveConfig(PAGE)) ?? {};
    await writeFile(PAGE, await prettier.format(page, { ...options, filepath: PAGE }));
    console.log(`chaos: ${outcomes.length} outcomes written to docs/reliability.md`);
    process.exitCode = code === 0 ? 0 : 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
