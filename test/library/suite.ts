/**
 * What library mode must do whatever the site is built with (a plain `http` server, express): the same tests
 * run against each host from its own test file. The host answers its own paths with `site: <path>` and runs
 * its own WebSocket server at /site-ws; Parley lives under /chat on the same port.
 */
import { rm } from 'node:fs/promises';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { WebSocket, WebSocketServer } from 'ws';
import { ParleyClient } from '../../src/client/index.js';
import type { Parley, ParleyOptions } from '../../src/library.js';
import { makeTempDir, TEST_ADMIN_KEY } from '../helpers/server.js';
import { once } from '../helpers/wait.js';
import { api, events } from '../native/helpers.js';
import { png, upload } from '../helpers/uploads.js';

export const PREFIX = '/chat';

/** The host site: its answer to every request that reaches it. */
export const siteAnswer: RequestListener = (req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(req.url === '/' ? 'site' : `site: ${req.url}`);
};

export interface Hosted {
  server: Server;
  parley: Parley;
}

/** A host as each test file builds it: its server (not yet listening) with Parley attached or mounted. */
export type BuildHost = (parleyOptions: ParleyOptions) => Promise<Hosted>;

/** The site's own WebSocket server, made the strict way (`server` and `path`): it refuses other paths with 400. */
export function siteWebSockets(server: Server): WebSocketServer {
  const wss = new WebSocketServer({ server, path: '/site-ws' });
  wss.on('connection', (ws) => ws.send('hello from the site'));
  return wss;
}

export function parleyOptions(dataDir: string): ParleyOptions {
  return {
    prefix: PREFIX,
    dataDir,
    adminKey: TEST_ADMIN_KEY,
    logLevel: 'silent',
    engine: { presenceGraceMs: 0, presenceBatchMs: 0 },
  };
}

/** Registers the shared tests of one host. */
export function libraryModeSuite(build: BuildHost): void {
  let dataDir: string;
  let hosted: Hosted;
  let origin: string;
  let chat: { url: string; adminKey: string };
  const clients: { close(): void }[] = [];

  beforeAll(async () => {
    dataDir = await makeTempDir('parley-library-');
    hosted = await build(parleyOptions(dataDir));
    hosted.server.listen(0, '127.0.0.1');
    await once(hosted.server, 'listening');
    origin = `http://127.0.0.1:${(hosted.server.address() as AddressInfo).port}`;
    chat = { url: `${origin}${PREFIX}`, adminKey: hosted.parley.adminKey };
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await hosted?.parley.close();
    if (hosted?.server.listening) await new Promise((resolve) => hosted.server.close(resolve));
    await rm(dataDir, { recursive: true, force: true });
  });

  const text = async (path: string) => (await fetch(`${origin}${path}`)).text();

  it('leaves the site its own paths, those that only begin like the prefix included', async () => {
    expect(await text('/')).toBe('site');
    expect(await text('/about?x=1')).toBe('site: /about?x=1');
    expect(await text('/chatroom')).toBe('site: /chatroom');
    expect(await text('/healthz')).toBe('site: /healthz');
  });

  it('answers under the prefix: health, the REST API, its own 404, and /chat sent to /chat/', async () => {
    const health = await fetch(`${chat.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${chat.url}/readyz`)).status).toBe(200);
    expect(await text(`${PREFIX}/metrics`)).toContain('parley_');

    const apps = await api<{ apps: { id: number }[] }>(chat, 'GET', '/api/v1/apps');
    expect(apps.apps.map((a) => a.id)).toContain(1);
    const created = await api<{ token: string }>(chat, 'POST', '/api/v1/apps/1/register', {
      username: 'visitor',
      password: 'visitor-password',
    });
    expect(created.token).toEqual(expect.any(String));

    const missing = await fetch(`${chat.url}/no-such-route`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });

    const bare = await fetch(`${origin}${PREFIX}?app=1`, { redirect: 'manual' });
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe(`${PREFIX}/?app=1`);
  });

  it('carries a conversation: a native client over WebSocket, one over socket.io, both under the prefix', async () => {
    const token = async (username: string) =>
      (
        await api<{ token: string }>(chat, 'POST', '/api/v1/apps/1/register', {
          username,
          password: `${username}-password`,
        })
      ).token;
    const overWs = new ParleyClient({
      url: `${chat.url}/ws`,
      transport: 'ws',
      credentials: { token: await token('alice') },
    });
    const overIo = new ParleyClient({
      url: origin,
      path: `${PREFIX}/socket.io`,
      transport: 'socket.io',
      credentials: { token: await token('bob') },
    });
    clients.push(overWs, overIo);
    await overWs.connect();
    await overIo.connect();
    await overWs.join('lobby');
    await overIo.join('lobby');

    const atBob = events(overIo, 'message');
    await overWs.send('lobby', 'hello from alice');
    expect((await atBob.next()).message).toMatchObject({ text: 'hello from alice' });
    const atAlice = events(overWs, 'message');
    await overIo.send('lobby', 'hello from bob');
    expect((await atAlice.next((e) => e.message.text === 'hello from bob')).message.author?.username).toBe(
      'bob',
    );
  });

  it('hands out file links under the prefix, and serves the file there', async () => {
    const { token } = await api<{ token: string }>(chat, 'POST', '/api/v1/apps/1/register', {
      username: 'uploader',
      password: 'uploader-password',
    });
    const { status, body } = await upload(chat, token, 'lobby', 'dot.png', await png(8, 6));
    expect(status).toBe(201);
    const file = body.attachment;
    expect(file?.url.startsWith(`${PREFIX}/api/v1/files/`)).toBe(true);
    expect(file?.thumbnailUrl?.startsWith(`${PREFIX}/api/v1/files/`)).toBe(true);
    const served = await fetch(`${origin}${file?.url ?? ''}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
  });

  it('serves the socket.io dialects at the prefixed socket.io path (eventchat)', async () => {
    await api(chat, 'POST', '/api/v1/apps/1/register', {
      username: 'streamer',
      password: 'streamer-password',
    });
    const socket = io(`${origin}/eventchat`, {
      path: `${PREFIX}/socket.io`,
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    clients.push({ close: () => socket.close() });
    await once(socket, 'connection', { rejectOn: ['connect_error'] });
    const answer = once<[unknown]>(socket, 'Auth');
    socket.emit('Auth', { user: 'streamer', password: 'streamer-password', room: 'lobby' });
    expect((await answer)[0]).toMatchObject({ Code: 200 });
  });

  it("leaves upgrades outside the prefix to the site's own listeners", async () => {
    const site = new WebSocket(`${origin.replace('http', 'ws')}/site-ws`);
    clients.push({ close: () => site.terminate() });
    const [greeting] = await once<[Buffer]>(site, 'message');
    expect(greeting.toString()).toBe('hello from the site');

    // Parley's native path at the root is not Parley's: the site's strict ws server refuses it with 400.
    const root = new WebSocket(`${origin.replace('http', 'ws')}/ws?app=1`);
    root.on('error', () => {}); // the refusal, expected
    const [, response] = await once<[unknown, { statusCode: number }]>(root, 'unexpected-response');
    expect(response.statusCode).toBe(400);
    root.terminate();
  });

  it('close() drains Parley and gives the prefix back to the site, which keeps serving and can close', async () => {
    const client = new ParleyClient({
      url: `${chat.url}/ws`,
      transport: 'ws',
      credentials: { guest: 'leaver' },
      reconnect: false,
    });
    clients.push(client);
    await client.connect();
    const gone = events(client, 'disconnected');

    await hosted.parley.close();
    expect(await gone.next()).toMatchObject({ code: 1001, reason: 'shutdown' });
    expect(await text('/')).toBe('site');
    expect(await text(`${PREFIX}/healthz`)).toBe(`site: ${PREFIX}/healthz`);
    await hosted.parley.close(); // twice is fine

    for (const c of clients) c.close();
    await new Promise<void>((resolve, reject) =>
      hosted.server.close((err) => (err ? reject(err) : resolve())),
    );
    expect(hosted.server.listening).toBe(false);
  });
}
