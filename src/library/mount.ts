/**
 * How library mode shares a host server: requests and upgrades under the prefix are emitted, the prefix taken
 * off, on Parley's own (never listening) HTTP server, where the HTTP API, socket.io and the WebSocket gateways
 * are attached as when Parley listens itself; everything else is left to the host's own listeners.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { ERROR_CATALOGUE } from '../core/errors.js';
import { matchPrefix, requestUrl } from './prefix.js';

type Listener = (...args: unknown[]) => void;

/** A server the site listens with: Parley only adds and removes listeners on it. */
export type HostServer = Server | HttpsServer;

/** Connect-style: answers a request under the prefix (true) or calls `next` and returns false. */
export type ParleyHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (err?: unknown) => void,
) => boolean;

export interface Mount {
  handler: ParleyHandler;
  /** The host's requests (unless `requests` is false) and upgrades under the prefix go to Parley first. */
  attach(server: HostServer, options: { requests: boolean }): void;
  /** Requests and upgrades under the prefix are answered 503 from now on (Parley is shutting down). */
  stopAccepting(): void;
  /** Parley is gone: every host server is given back its own listeners, the handler passes everything on. */
  detachAll(): void;
}

/** The `{error}` body of the HTTP API, on a bare response. */
function unavailable(res: ServerResponse): void {
  const { status, message } = ERROR_CATALOGUE.unavailable;
  const body = JSON.stringify({ error: { code: 'unavailable', status, message } });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  res.end(body);
}

function refuseUpgrade(socket: Duplex): void {
  if (socket.writable) socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
  socket.once('finish', () => socket.destroy());
}

/**
 * The host's listeners for `event` are taken off and called by one listener of Parley's for whatever Parley
 * does not claim (engine.io shares a server the same way). Listeners the host adds later are not moved.
 */
function interpose<A extends unknown[]>(
  server: HostServer,
  event: 'request' | 'upgrade',
  claim: (...args: A) => boolean,
): () => void {
  const own = server.listeners(event) as Listener[];
  for (const listener of own) server.off(event, listener);
  const dispatch = (...args: unknown[]) => {
    if (claim(...(args as A))) return;
    for (const listener of own) listener.apply(server, args);
  };
  server.on(event, dispatch);
  return () => {
    server.off(event, dispatch);
    for (const listener of own) server.on(event, listener);
  };
}

export function createMount(parley: Server, prefix: string): Mount {
  let state: 'open' | 'draining' | 'gone' = 'open';
  const detachers = new Map<HostServer, (() => void)[]>();

  const handler: ParleyHandler = (req, res, next) => {
    const match = matchPrefix(requestUrl(req), prefix);
    if (match.kind === 'outside' || state === 'gone') {
      next?.();
      return false;
    }
    if (state === 'draining') unavailable(res);
    else if (match.kind === 'redirect') {
      res.writeHead(308, { location: match.location, 'content-length': 0 });
      res.end();
    } else {
      req.url = match.url;
      parley.emit('request', req, res);
    }
    return true;
  };

  const claimUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
    const match = matchPrefix(requestUrl(req), prefix);
    if (match.kind === 'outside') return false;
    if (state === 'draining') refuseUpgrade(socket);
    else {
      // No gateway serves the prefix itself: Parley's router answers it 404 like any unknown path.
      req.url = match.kind === 'inside' ? match.url : '/';
      parley.emit('upgrade', req, socket, head);
    }
    return true;
  };

  return {
    handler,
    attach(server, options) {
      if (detachers.has(server)) throw new Error('Parley is already attached to this server');
      const undo = [interpose(server, 'upgrade', claimUpgrade)];
      if (options.requests) {
        undo.push(
          interpose(server, 'request', (req: IncomingMessage, res: ServerResponse) => handler(req, res)),
        );
      }
      detachers.set(server, undo);
    },
    stopAccepting() {
      state = 'draining';
    },
    detachAll() {
      state = 'gone';
      for (const undo of detachers.values()) for (const fn of undo) fn();
      detachers.clear();
    },
  };
}
