import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { WsGateway } from '../../src/gateways/types.js';
import { attachUpgradeRouter, type UpgradeRouter } from '../../src/gateways/upgrade.js';
import { tryUpgrade } from '../helpers/upgrade.js';
import { once } from '../helpers/wait.js';

/** A gateway that accepts WebSockets at `path` and echoes frames back. */
function echoGateway(path: string): WsGateway & { accepted: number } {
  const wss = new WebSocketServer({ noServer: true });
  const gateway = {
    accepted: 0,
    matches: (pathname: string) => pathname === path,
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
      gateway.accepted++;
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('message', (data) => ws.send(`${path}:${data.toString()}`));
      });
    },
    async close() {
      for (const client of wss.clients) client.close(1001, 'shutdown');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
  return gateway;
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

const logger = pino({ level: 'silent' });

describe('upgrade router', () => {
  let server: Server;
  let router: UpgradeRouter;
  let base: string;
  const ws = echoGateway('/ws');
  const other = echoGateway('/chat/login/');

  beforeAll(async () => {
    server = createServer((_req, res) => res.end('http'));
    router = attachUpgradeRouter(server, {
      gateways: [ws],
      allowedOrigins: ['https://allowed.example', 'http://localhost:8080'],
      logger,
    });
    router.add({ ...other, matches: (p) => p.startsWith('/chat/login/') });
    base = `ws://127.0.0.1:${await listen(server)}`;
  });

  afterAll(async () => {
    await Promise.all([ws.close(), other.close()]);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('lets an allowed Origin through to the matching gateway', async () => {
    expect(await tryUpgrade(`${base}/ws`, { Origin: 'https://allowed.example' })).toEqual({ opened: true });
    expect(await tryUpgrade(`${base}/ws?app=2`, { Origin: 'http://localhost:8080' })).toEqual({
      opened: true,
    });
  });

  it('lets clients without an Origin through (not a browser)', async () => {
    expect(await tryUpgrade(`${base}/ws`)).toEqual({ opened: true });
  });

  it('refuses a disallowed Origin with 403 origin_not_allowed before any gateway sees it', async () => {
    const before = ws.accepted;
    const outcome = await tryUpgrade(`${base}/ws`, { Origin: 'https://evil.example' });
    expect(outcome.opened).toBe(false);
    expect(outcome.status).toBe(403);
    expect(JSON.parse(outcome.body ?? '')).toMatchObject({
      error: { code: 'origin_not_allowed', status: 403 },
    });
    expect(ws.accepted).toBe(before);
  });

  it('compares the whole origin (scheme and port)', async () => {
    expect((await tryUpgrade(`${base}/ws`, { Origin: 'http://allowed.example' })).status).toBe(403);
    expect((await tryUpgrade(`${base}/ws`, { Origin: 'http://localhost:8081' })).status).toBe(403);
  });

  it('answers 404 not_found for a path no gateway serves', async () => {
    const outcome = await tryUpgrade(`${base}/nope`);
    expect(outcome).toMatchObject({ opened: false, status: 404 });
    expect(JSON.parse(outcome.body ?? '')).toMatchObject({ error: { code: 'not_found' } });
    expect((await tryUpgrade(`${base}/ws/extra`)).status).toBe(404);
  });

  it('routes to the first gateway whose path matches, including ones added later', async () => {
    const client = new WebSocket(`${base}/chat/login/alice`);
    await once(client, 'open', { rejectOn: ['error'] });
    client.send('hi');
    const [data] = await once<[Buffer]>(client, 'message');
    expect(data.toString()).toBe('/chat/login/:hi');
    client.close();
  });

  it('leaves /socket.io/ to socket.io (the router does not answer it)', async () => {
    // No socket.io here: the upgrade is left alone, so a second listener can take it.
    const taken = new Promise<string>((resolve) =>
      server.once('upgrade', (req: IncomingMessage, socket: Duplex) => {
        socket.end('HTTP/1.1 418 Teapot\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        resolve(req.url ?? '');
      }),
    );
    const outcome = await tryUpgrade(`${base}/socket.io/?EIO=4&transport=websocket`);
    expect(await taken).toContain('/socket.io/');
    expect(outcome.status).toBe(418);
  });

  it('refuses with 503 once it stops accepting', async () => {
    const server2 = createServer();
    const router2 = attachUpgradeRouter(server2, { gateways: [ws], allowedOrigins: null, logger });
    const url = `ws://127.0.0.1:${await listen(server2)}/ws`;
    expect(await tryUpgrade(url, { Origin: 'https://anything.example' })).toEqual({ opened: true });
    router2.stopAccepting();
    expect((await tryUpgrade(url)).status).toBe(503);
    router2.detach();
    server2.closeAllConnections();
    await new Promise((resolve) => server2.close(resolve));
  });
});
