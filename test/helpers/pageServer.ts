/** A web server of the test's own on loopback, for link previews: pages by path, requests counted. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type PageHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface PageServer {
  /** `http://<host>:<port>` */
  url: string;
  port: number;
  /** Requests received, by path. */
  hits: Map<string, number>;
  hitsOf(path: string): number;
  /** Resolves once the connection of a request to `path` closed (the client hung up or was done). */
  closedOn(path: string): Promise<void>;
  close(): Promise<void>;
}

/** An HTML page with the given head and body. */
export function html(head: string, body = ''): PageHandler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head>${head}</head><body>${body}</body></html>`);
  };
}

export async function startPageServer(
  pages: Record<string, PageHandler>,
  host = '127.0.0.1',
): Promise<PageServer> {
  const hits = new Map<string, number>();
  const sockets = new Set<Socket>();
  const closes = new Map<string, Promise<void>>();
  const closeWaiters = new Map<string, () => void>();
  const closedOn = (path: string) => {
    let promise = closes.get(path);
    if (!promise) {
      promise = new Promise<void>((resolve) => closeWaiters.set(path, resolve));
      closes.set(path, promise);
    }
    return promise;
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    void closedOn(path);
    req.socket.once('close', () => closeWaiters.get(path)?.());
    const page = pages[path];
    if (!page) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    page(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    hits,
    hitsOf: (path) => hits.get(path) ?? 0,
    closedOn,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
