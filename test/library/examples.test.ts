/**
 * The examples in examples/ run as documented: the site answers /, Parley /chat/, and on SIGTERM Parley
 * drains and the site's server closes; the process then exits by itself, which it only does when neither
 * Parley nor the site leaves a handle open.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { childEnv, makeTempDir, REPO_ROOT } from '../helpers/server.js';
import { once, waitFor } from '../helpers/wait.js';

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe.each(['http-server.ts', 'express.ts'])('examples/%s', (example) => {
  it('serves the site and Parley on one port, and exits by itself after SIGTERM', async () => {
    // The example keeps its data in ./data/chat of the directory it runs in.
    const cwd = await makeTempDir('parley-example-');
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), join(REPO_ROOT, 'examples', example)],
      {
        cwd,
        env: childEnv({ PORT: String(port), PARLEY_LOG_LEVEL: 'warn' }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once<[number | null, string | null]>(child, 'exit', { timeoutMs: 30_000 });
    exited.catch(() => {}); // awaited below; a failure before then is reported instead
    try {
      await waitFor(() => stdout.includes('Parley under /chat/'), {
        timeoutMs: 30_000,
        label: `startup (${stderr})`,
      });
      const origin = `http://127.0.0.1:${port}`;
      expect(await (await fetch(`${origin}/`)).text()).toContain('<script src="/chat/widget.js"');
      expect(await (await fetch(`${origin}/chat/healthz`)).json()).toEqual({ status: 'ok' });
      const apps = await fetch(`${origin}/chat/api/v1/apps`);
      expect(apps.status).toBe(401); // the admin API wants the generated key, printed on stderr
      expect(stderr).toMatch(/parley admin key: \S+/);

      child.kill('SIGTERM');
      expect(await exited).toEqual([0, null]);
    } finally {
      child.kill('SIGKILL');
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
