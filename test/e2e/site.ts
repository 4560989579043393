/**
 * A host site of its own for the widget: one page served from another origin (another port, as `localhost`).
 * Chrome lets a page load from loopback only when the page itself is on loopback, so a made-up public host
 * cannot stand in for it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Site {
  url: string;
  server: Server;
}

/** `page` is called for every request: a test may change what the site serves between pages. */
export async function startSite(page: () => string): Promise<Site> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://localhost:${(server.address() as AddressInfo).port}`, server };
}
