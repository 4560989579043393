/**
 * Pack, install, run: both packages are packed with `npm pack`, installed from the tarballs into an empty
 * folder, the server is started there with `npx parley serve`, and the installed client (plain Node, no
 * TypeScript, no repository around it) connects over both transports, joins a room and gets its message back.
 */
import { execFile, spawn } from 'node:child_process';
import { readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Rollup } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, makeTempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { installTarballs, packBoth, type Tarball } from './packs.js';

const run = promisify(execFile);

/**
 * Packing builds everything (a minute on a quiet machine) and the install unpacks some 190 packages; this bound
 * only stops a stuck run, on a machine as busy as CI's can be.
 */
const SETUP_MS = 600_000;

/** A user's first script: the installed client, in plain Node, round-trips one message. */
const ROUNDTRIP = `import { ParleyClient } from 'parley-chat-client';

const [url, transport] = process.argv.slice(2);
const guest = 'pack-' + transport.replace(/\\W/g, '');
const client = new ParleyClient({ url, transport, credentials: { guest } });
const echoed = new Promise((resolve) => {
  client.on('message', ({ room, message }) => resolve({ room: room.name, text: message.text, seq: message.seq }));
});
await client.connect();
await client.join('lobby');
const ack = await client.send('lobby', 'hello over ' + transport);
const event = await echoed;
client.close();
console.log(JSON.stringify({ resolved: import.meta.resolve('parley-chat-client'), guest, ack, event }));
`;

interface Roundtrip {
  resolved: string;
  guest: string;
  ack: { kind: string; message: { seq: number; text: string; room: string; author: { username: string } } };
  event: { room: string; text: string; seq: number };
}

let workDir: string;
let server: Tarball;
let client: Tarball;
let appDir: string;

beforeAll(async () => {
  workDir = await makeTempDir('parley-pack-');
  ({ server, client } = await packBoth(workDir, join(workDir, 'tarballs')));
  appDir = await installTarballs(workDir, [server, client]);
}, SETUP_MS);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('the packages as published', () => {
  it('the server package ships the build, the command and the docs, and no sources or tests', () => {
    expect(server.name).toBe('parley-chat');
    for (const file of [
      'package.json',
      'README.md',
      'LICENSE',
      'bin/parley.js',
      'dist/cli/main.js',
      'dist/server.js',
      'dist/server.d.ts',
      'dist/web/widget.js',
      'dist/web/demo/index.html',
      'dist/web/admin/index.html',
      'docs/protocol.md',
    ]) {
      expect(server.files, file).toContain(file);
    }
    const stray = server.files.filter(
      (file) =>
        /^(src|test|bench|web|packages|data)\//.test(file) ||
        file.startsWith('dist/client/') ||
        (file.endsWith('.js.map') && !file.startsWith('dist/web/')),
    );
    expect(stray).toEqual([]);
  });

  it('the client package ships its build and README only', () => {
    expect(client.name).toBe('parley-chat-client');
    for (const file of [
      'package.json',
      'README.md',
      'LICENSE',
      'dist/client/index.js',
      'dist/client/index.d.ts',
      'dist/protocol/native.js',
    ]) {
      expect(client.files, file).toContain(file);
    }
    const stray = client.files.filter(
      (file) => !/^(dist\/(client|protocol)\/|package\.json$|README\.md$|LICENSE$)/.test(file),
    );
    expect(stray).toEqual([]);
  });

  it('the installed client depends on nothing of the server', async () => {
    const pkg = JSON.parse(
      await readFile(join(appDir, 'node_modules', 'parley-chat-client', 'package.json'), 'utf8'),
    ) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
    expect(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).sort()).toEqual([
      'socket.io-client',
      'ws',
    ]);
  });

  it('the installed client bundles for browsers without Node built-ins, socket.io-client split off', async () => {
    await writeFile(join(appDir, 'browser-entry.js'), "export { ParleyClient } from 'parley-chat-client';\n");
    const result = await build({
      root: appDir,
      configFile: false,
      logLevel: 'silent',
      build: {
        write: false,
        minify: false,
        target: 'es2022',
        lib: { entry: join(appDir, 'browser-entry.js'), formats: ['es'], fileName: 'client' },
      },
    });
    const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
    const chunks = outputs.flatMap((output) => output.output).filter((chunk) => chunk.type === 'chunk');
    const entry = chunks.find((chunk) => chunk.isEntry);
    expect(entry?.code).toContain('class ParleyClient');
    // engine.io (socket.io-client's transport) only in a chunk loaded when the socket.io transport is chosen.
    expect(entry?.code).not.toContain('engine.io');
    expect(chunks.some((chunk) => !chunk.isEntry && chunk.code.includes('engine.io'))).toBe(true);
    for (const chunk of chunks) {
      expect(chunk.code, chunk.fileName).not.toMatch(/\bfrom\s*["']node:|\brequire\(/);
    }
  });

  it('`npx parley serve` runs the installed server; the installed client round-trips over ws and socket.io; SIGTERM exits 0', async () => {
    await writeFile(join(appDir, 'roundtrip.mjs'), ROUNDTRIP);
    // Its own process group, so that whatever happens the test can end npx and Parley together.
    const child = spawn(
      'npx',
      ['--no', 'parley', 'serve', '--host', '127.0.0.1', '--port', '0', '--data', 'data'],
      {
        cwd: appDir,
        env: childEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('close', (code, signal) => resolve([code, signal])),
    );
    try {
      // The startup line: a JSON log line with the bound address and the pid of Parley itself (npx runs it
      // as a grandchild, so that is the process a supervisor's SIGTERM must reach).
      const listening = await waitFor(
        () =>
          stdout
            .split('\n')
            .filter((line) => line.startsWith('{'))
            .map((line) => JSON.parse(line) as { msg?: string; url?: string; pid?: number })
            .find((line) => line.msg?.startsWith('parley listening on')),
        { timeoutMs: 60_000, label: `the listening line (stdout: ${stdout}, stderr: ${stderr})` },
      );
      expect(stderr).toMatch(/^parley admin key: /m);
      const url = listening.url as string;
      for (const transport of ['ws', 'socket.io']) {
        const { stdout: out } = await run(process.execPath, ['roundtrip.mjs', url, transport], {
          cwd: appDir,
          env: childEnv(),
        });
        const result = JSON.parse(out) as Roundtrip;
        // The installed package, not anything of the repository.
        expect(result.resolved).toBe(
          pathToFileURL(join(await realpath(appDir), 'node_modules/parley-chat-client/dist/client/index.js'))
            .href,
        );
        expect(result.ack.kind).toBe('message');
        expect(result.ack.message).toMatchObject({
          room: 'lobby',
          text: `hello over ${transport}`,
          author: { username: result.guest },
        });
        expect(result.event).toEqual({
          room: 'lobby',
          text: `hello over ${transport}`,
          seq: result.ack.message.seq,
        });
      }
      process.kill(listening.pid as number, 'SIGTERM');
      const [code, signal] = await exited;
      expect({ code, signal, stderr }).toMatchObject({ code: 0, signal: null });
      expect(() => process.kill(listening.pid as number, 0)).toThrow();
    } finally {
      if (child.exitCode === null && child.signalCode === null && child.pid)
        process.kill(-child.pid, 'SIGKILL');
    }
  });
});
