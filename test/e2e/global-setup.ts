/**
 * Builds the web assets (dist/web) from the current sources before the end-to-end tests, so that they never
 * run against a stale build. Runs only when e2e tests are queued. The build runs in a child process, exactly
 * as `npm run build:web` does, outside vitest's environment (NODE_ENV=test).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { childEnv, REPO_ROOT } from '../helpers/server.js';

const run = promisify(execFile);

export default async function setup(): Promise<void> {
  const vite = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  for (const config of ['web/vite.pages.config.ts', 'web/vite.widget.config.ts']) {
    await run(process.execPath, [vite, 'build', '--logLevel', 'error', '-c', config], {
      cwd: REPO_ROOT,
      env: { ...childEnv(), NODE_ENV: 'production' },
    });
  }
}
