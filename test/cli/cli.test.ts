import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { WebSocket } from 'ws';
import { makeTempDir, runCli, spawnServer, type SpawnedServer } from '../helpers/server.js';
import { once, waitFor } from '../helpers/wait.js';

const ADMIN_KEY_LINE = /^parley admin key: (\S+)/m;

const dirs: string[] = [];
const servers: SpawnedServer[] = [];

async function tempDir(): Promise<string> {
  const dir = await makeTempDir('parley-cli-');
  dirs.push(dir);
  return dir;
}

async function stop(server: SpawnedServer) {
  server.kill('SIGTERM');
  return server.exited;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.kill('SIGKILL');
    await server.exited;
  }
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('parley CLI', () => {
  it('--help and help print usage listing commands, flags and env vars, exit 0', async () => {
    const runs = await Promise.all(
      [['--help'], ['help'], ['serve', '--help']].map((args) => runCli(args).exited),
    );
    for (const { code, stdout } of runs) {
      expect(code).toBe(0);
      expect(stdout).toContain('parley serve');
      for (const text of [
        '--port',
        '--host',
        '--data',
        '--config',
        '--log-level',
        'PARLEY_PORT',
        'PARLEY_ADMIN_KEY',
      ]) {
        expect(stdout).toContain(text);
      }
    }
  });

  it('serve --help gives each flag its value, default and environment variables', async () => {
    const { code, stdout } = await runCli(['serve', '--help']).exited;
    expect(code).toBe(0);
    expect(stdout).toMatch(/--port <value>\n\s+.+\n\s+value: .+ · default: 3000 · env: PARLEY_PORT/);
    expect(stdout).toMatch(/--data <value>\n[^\n]+\n\s+value: a directory path · default: /);
  });

  it('--version prints the version', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const { code, stdout } = await runCli(['--version']).exited;
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('an unknown command, a bad flag or a bad setting: one line on stderr, exit 2', async () => {
    const cases: [string[], Record<string, string>, string][] = [
      [['frobnicate'], {}, 'unknown command "frobnicate"'],
      [['serve', '--bogus'], {}, 'unknown flag --bogus'],
      [['serve', '--port', 'abc'], {}, 'invalid setting --port: expected an integer 0-65535, got "abc"'],
      [['serve'], { PARLEY_PORT: 'abc' }, 'invalid setting PARLEY_PORT'],
    ];
    const runs = await Promise.all(cases.map(([args, env]) => runCli(args, { env }).exited));
    for (const [i, [args, , message]] of cases.entries()) {
      const { code, stderr, stdout } = runs[i] as (typeof runs)[number];
      expect(code, args.join(' ')).toBe(2);
      expect(stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(stderr).toContain(message);
      expect(stdout).toBe('');
    }
  });

  it('serve on port 0 prints the admin key once, then reuses it', async () => {
    const dataDir = await tempDir();
    const first = await spawnServer({ dataDir });
    servers.push(first);
    expect(first.port).toBeGreaterThan(0);
    // On stderr, once, apart from the log lines; standard output is JSON lines only.
    await waitFor(() => ADMIN_KEY_LINE.test(first.stderr));
    const key = ADMIN_KEY_LINE.exec(first.stderr)?.[1];
    expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(first.stderr.match(/admin key/g)).toHaveLength(1);
    expect(first.stdout).not.toMatch(/admin key/i);
    // The key works against the admin API, and it is saved with owner-only permissions.
    const apps = await fetch(`${first.url}/api/v1/apps`, { headers: { authorization: `Bearer ${key}` } });
    expect(apps.status).toBe(200);
    const file = join(dataDir, 'admin.key');
    expect((await readFile(file, 'utf8')).trim()).toBe(key);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await stop(first)).toEqual({ code: 0, signal: null });
    // Never in the logs either.
    expect(first.stdout).not.toContain(key);
    for (const line of first.stdout.trimEnd().split('\n')) expect(() => JSON.parse(line), line).not.toThrow();

    const second = await spawnServer({ dataDir, env: { PARLEY_LOG_LEVEL: 'info' } });
    servers.push(second);
    expect(second.stdout).not.toMatch(/admin key/i);
    expect(second.stdout).not.toContain(key);
    const again = await fetch(`${second.url}/api/v1/apps`, { headers: { authorization: `Bearer ${key}` } });
    expect(again.status).toBe(200);
    expect(await stop(second)).toEqual({ code: 0, signal: null });
    expect(second.stdout).not.toContain(key);
  });

  it('uses PARLEY_ADMIN_KEY when set, and neither prints nor saves a key', async () => {
    const dataDir = await tempDir();
    const adminKey = 'env-admin-key-0123456789abcdef';
    const server = await spawnServer({
      dataDir,
      env: { PARLEY_ADMIN_KEY: adminKey, PARLEY_LOG_LEVEL: 'debug' },
    });
    servers.push(server);
    expect(server.stdout).not.toMatch(/admin key/i);
    const ok = await fetch(`${server.url}/api/v1/apps`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(ok.status).toBe(200);
    const wrong = await fetch(`${server.url}/api/v1/apps`, {
      headers: { authorization: 'Bearer wrong-key-0123456789' },
    });
    expect(wrong.status).toBe(401);
    await expect(stat(join(dataDir, 'admin.key'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await stop(server)).toEqual({ code: 0, signal: null });
    expect(server.stdout + server.stderr).not.toContain(adminKey);
  });

  it('SIGTERM closes a connected /ws client with 1001 and tells socket.io clients shutdown, then exits 0', async () => {
    const dataDir = await tempDir();
    const server = await spawnServer({ dataDir });
    servers.push(server);
    const client = new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws?guest=watcher`);
    await once(client, 'open', { rejectOn: ['error'] });
    const sio = io(server.url, {
      transports: ['websocket'],
      auth: { guest: 'sio-watcher' },
      reconnection: false,
    });
    await once(sio, 'connect', { rejectOn: ['connect_error'] });
    const closed = once<[number, Buffer]>(client, 'close', { timeoutMs: 10_000 });
    const told = once<[{ reason: string; code: number }]>(sio, 'disconnect_reason', { timeoutMs: 10_000 });
    let exitedFirst = false;
    void server.exited.then(() => (exitedFirst = true));

    server.kill('SIGTERM');
    const [code, reason] = await closed;
    expect(code).toBe(1001);
    expect(reason.toString()).toBe('shutdown');
    const [data] = await told;
    expect(data).toMatchObject({ reason: 'shutdown', code: 1001 });
    expect(exitedFirst).toBe(false);
    expect(await server.exited).toEqual({ code: 0, signal: null });
    sio.close();
  });

  it('SIGINT exits 0 too', async () => {
    const server = await spawnServer({ dataDir: await tempDir() });
    servers.push(server);
    server.kill('SIGINT');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('keeps data across restarts in the data directory', async () => {
    const dataDir = await tempDir();
    const env = { PARLEY_ADMIN_KEY: 'restart-admin-key-0123456789' };
    const auth = { authorization: `Bearer ${env.PARLEY_ADMIN_KEY}`, 'content-type': 'application/json' };
    const first = await spawnServer({ dataDir, env });
    servers.push(first);
    const created = await fetch(`${first.url}/api/v1/apps`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'survivor' }),
    });
    expect(created.status).toBeLessThan(300);
    await stop(first);
    const second = await spawnServer({ dataDir, env });
    servers.push(second);
    const listed = await fetch(`${second.url}/api/v1/apps`, { headers: auth });
    expect(JSON.stringify(await listed.json())).toContain('survivor');
    await stop(second);
  });
});
