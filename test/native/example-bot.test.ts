/**
 * examples/bot.ts, run as documented in docs/bots.md: a process of its own, signed in with its API key over a
 * real socket, answers `/echo` in the room it was typed in, and exits by itself on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, REPO_ROOT, startTestServer, type TestServer } from '../helpers/server.js';
import { once, waitFor } from '../helpers/wait.js';
import { api, ClientPool, events, NO_FLOOD, patchApp, register } from './helpers.js';

describe('examples/bot.ts', () => {
  let srv: TestServer;
  const pool = new ClientPool();
  beforeAll(async () => {
    srv = await startTestServer();
    await patchApp(srv, NO_FLOOD);
  });
  afterAll(async () => {
    pool.closeAll();
    await srv?.close();
  });

  it('answers /echo as the bot, and exits on SIGTERM', async () => {
    const { apiKey } = await api<{ apiKey: string }>(srv, 'POST', '/api/v1/apps/1/bots', {
      username: 'echo',
      commands: [{ name: 'echo', description: 'Says it back' }],
    });
    const child = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), join(REPO_ROOT, 'examples', 'bot.ts')],
      {
        env: childEnv({ PARLEY_URL: srv.url, PARLEY_BOT_KEY: apiKey }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit');
    try {
      await waitFor(() => stdout.includes('echo is listening'), { timeoutMs: 15_000, label: stderr });
      const user = pool.client(srv, 'ws', { token: await register(srv, 'echofan') });
      await user.connect();
      await user.join('lobby');
      const seen = events(user, 'message');
      await user.send('lobby', '/echo hello, bot');
      const answer = (await seen.next((e) => e.message.author?.bot === true)).message;
      expect(answer).toMatchObject({ text: 'hello, bot', author: { username: 'echo', bot: true } });
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  });
});
