import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { isOriginAllowed, isOwnOrigin } from '../core/apps.js';
import { ERROR_CATALOGUE, type ErrorCode } from '../core/errors.js';
import type { GateAnswer } from './kernel/connectionGate.js';
import type { WsGateway } from './types.js';

/** socket.io (engine.io) handles upgrades under this path with its own listener; the router leaves them alone. */
export const SOCKET_IO_PATH = '/socket.io/';

export interface UpgradeRouterOptions {
  /** Tried in order: the first whose `matches(pathname)` is true gets the request. */
  gateways: WsGateway[];
  /** Server-wide allowed browser origins; null allows any. Apps narrow this after authentication. */
  allowedOrigins: string[] | null;
  logger: Logger;
  /** Paths another `upgrade` listener on the same server serves (socket.io by default). */
  passthroughPrefixes?: string[];
  /**
   * Where an upgrade under a passthrough path goes once its Origin is allowed (engine.io's own listener,
   * taken off the server so that a foreign Origin is answered 403 here: engine.io answers every refused
   * upgrade with 400). Absent: the other listener on the server gets it by itself.
   */
  passthrough?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Connection limits, checked before any handshake work; absent: none. */
  gate?: { admit(req: IncomingMessage): GateAnswer };
}

export interface UpgradeRouter {
  readonly gateways: readonly WsGateway[];
  /** Add a gateway after the ones given at creation (dialect gateways register themselves this way). */
  add(gateway: WsGateway): void;
  /** From now on every upgrade is refused with 503 (the server is shutting down). */
  stopAccepting(): void;
  /** Remove the listener from the server. */
  detach(): void;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  503: 'Service Unavailable',
};

/** Answer an upgrade request with a plain HTTP error (the `{error}` body of the HTTP API) and drop the socket. */
export function refuseUpgrade(
  socket: Duplex,
  code: ErrorCode,
  message?: string,
  retryAfterMs?: number,
): void {
  const status = ERROR_CATALOGUE[code].status;
  const error = { code, status, message: message ?? ERROR_CATALOGUE[code].message };
  const body = JSON.stringify({
    error: retryAfterMs === undefined ? error : { ...error, details: { retryAfterMs } },
  });
  const retryAfter =
    retryAfterMs === undefined ? '' : `Retry-After: ${Math.max(1, Math.ceil(retryAfterMs / 1000))}\r\n`;
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n` +
        'Connection: close\r\n' +
        retryAfter +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        '\r\n' +
        body,
    );
  }
  // end() flushes the response first; destroy whatever is left once it has been written.
  socket.once('finish', () => socket.destroy());
  setTimeout(() => socket.destroy(), 1000).unref();
}

function pathnameOf(req: IncomingMessage): string | null {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return null;
  }
}

/**
 * The one `upgrade` listener for plain WebSocket gateways on the shared HTTP server: checks the Origin against
 * the server's list (403 when not allowed), hands the request to the first gateway whose path matches, leaves
 * socket.io's path to socket.io and answers anything else with 404.
 */
export function attachUpgradeRouter(server: Server, options: UpgradeRouterOptions): UpgradeRouter {
  const gateways = [...options.gateways];
  const passthrough = options.passthroughPrefixes ?? [SOCKET_IO_PATH];
  const logger = options.logger;
  let accepting = true;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => logger.debug({ err }, 'upgrade socket error'));
    const pathname = pathnameOf(req);
    if (pathname === null) {
      refuseUpgrade(socket, 'bad_request', 'Malformed request URL');
      return;
    }
    const passing = passthrough.some((prefix) => pathname.startsWith(prefix));
    if (passing && !options.passthrough) return;
    if (!accepting && !passing) {
      refuseUpgrade(socket, 'unavailable', 'The server is shutting down');
      return;
    }
    // Parley's own pages (the demo page's widget) are same-origin: no Origin for every gateway after this one.
    if (isOwnOrigin(req.headers.origin, req.headers.host)) delete req.headers.origin;
    const origin = req.headers.origin;
    if (!isOriginAllowed(origin, options.allowedOrigins, null)) {
      logger.info({ origin, path: pathname }, 'upgrade refused: origin not allowed');
      refuseUpgrade(socket, 'origin_not_allowed', 'The Origin is not allowed on this server');
      return;
    }
    const gateway = passing ? null : gateways.find((g) => g.matches(pathname));
    if (!passing && !gateway) {
      refuseUpgrade(socket, 'not_found', 'No WebSocket endpoint at this path');
      return;
    }
    const admitted = options.gate?.admit(req) ?? null;
    if (admitted && !admitted.ok) {
      refuseUpgrade(socket, 'connection_limit', undefined, admitted.retryAfterMs);
      return;
    }
    if (admitted) socket.once('close', admitted.release);
    if (passing || !gateway) {
      options.passthrough?.(req, socket, head);
      return;
    }
    try {
      gateway.handleUpgrade(req, socket, head);
    } catch (err) {
      logger.error({ err, path: pathname }, 'upgrade handler failed');
      if (!socket.destroyed) refuseUpgrade(socket, 'internal');
    }
  };

  server.on('upgrade', onUpgrade);
  return {
    get gateways() {
      return gateways;
    },
    add: (gateway) => {
      gateways.push(gateway);
    },
    stopAccepting: () => {
      accepting = false;
    },
    detach: () => {
      server.off('upgrade', onUpgrade);
    },
  };
}
