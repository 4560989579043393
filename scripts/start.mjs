// @ts-check
/**
 * `npm start`: builds only when the sources changed since the last build (scripts/build-stamp.mjs), says in one
 * line on standard error whether it builds and why, then becomes Parley: `parley serve` runs in this very
 * process. package.json starts this script with `exec`, so npm's child is Parley itself: a SIGTERM sent to npm
 * alone is forwarded by npm straight to Parley, one sent to the whole group reaches both, and npm exits with
 * Parley's status (0 after a graceful stop). Arguments after `npm start --` are flags of `serve`.
 *
 * Standard output is left to Parley's JSON lines: this script and the build write to standard error.
 */
import { spawn } from 'node:child_process';
import { URL, fileURLToPath } from 'node:url';
import process from 'node:process';
import { ROOT, buildNeeded } from './build-stamp.mjs';

/** @type {readonly NodeJS.Signals[]} */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT'];

/** @param {string} line */
const say = (line) => process.stderr.write(`parley: ${line}\n`);

/**
 * Runs `npm run build` (which writes the stamp at its end). A stop signal meanwhile ends the build and the
 * start: the build runs in its own process group so that all of it (npm, tsc, vite) is stopped together.
 * @returns {Promise<'built' | 'failed' | 'stopped'>}
 */
function build() {
  // Under npm, the npm that started us; otherwise the one on PATH.
  const npmCli = process.env.npm_execpath;
  const [command, args] = npmCli ? [process.execPath, [npmCli, 'run', 'build']] : ['npm', ['run', 'build']];
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 2, 2], detached: true });
  let stopped = false;
  const stop = () => {
    stopped = true;
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
  };
  for (const signal of STOP_SIGNALS) process.on(signal, stop);
  return new Promise((resolve) => {
    const done = (/** @type {'built' | 'failed' | 'stopped'} */ outcome) => {
      for (const signal of STOP_SIGNALS) process.off(signal, stop);
      resolve(outcome);
    };
    child.once('error', (err) => {
      say(`cannot run the build: ${err.message}`);
      done('failed');
    });
    child.once('exit', (code) => done(stopped ? 'stopped' : code === 0 ? 'built' : 'failed'));
  });
}

/**
 * Starts `parley serve` in this process, with this script's arguments as its flags. A stop signal that arrives
 * while Parley's code is still loading (before it has its own handlers) is kept and raised again once it has.
 */
async function serve() {
  const bin = fileURLToPath(new URL('../bin/parley.js', import.meta.url));
  process.argv = [process.argv[0] ?? process.execPath, bin, 'serve', ...process.argv.slice(2)];
  /** @type {NodeJS.Signals | null} */
  let pending = null;
  const keep = (/** @type {NodeJS.Signals} */ signal) => {
    pending ??= signal;
  };
  for (const signal of STOP_SIGNALS) process.on(signal, keep);
  try {
    await import(bin);
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, keep);
  }
  if (pending) process.kill(process.pid, pending);
}

const started = Date.now();
const { build: needed, reason } = await buildNeeded();
if (!needed) {
  say(`build is up to date (${reason})`);
  await serve();
} else {
  say(`building (${reason})`);
  const outcome = await build();
  if (outcome === 'built') {
    say(`built in ${((Date.now() - started) / 1000).toFixed(1)} s; starting`);
    await serve();
  } else if (outcome === 'stopped') {
    say('stopped while building; not starting');
  } else {
    say('the build failed (its output is above); not starting');
    process.exitCode = 1;
  }
}
