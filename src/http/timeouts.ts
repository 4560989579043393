/**
 * The HTTP server's timeouts, which make a slow client cheap ([deploy.timeouts]): a connection that sends
 * nothing, a request or WebSocket upgrade whose headers drip in, and a body that trickles are each cut off
 * after a bounded time, and an idle kept-alive connection is closed. Node checks them every
 * `connectionsCheckingInterval`, so the interval is kept well under the shortest of them.
 */
import type { ServerOptions } from 'node:http';
import type { ServerConfig } from '../config/types.js';

type TimeoutSettings = Pick<ServerConfig, 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs'>;

/** The longest a timeout is overrun: Node looks at each connection's deadlines this often at most. */
const MAX_CHECK_INTERVAL_MS = 1000;

export interface HttpTimeouts {
  /** For http.createServer (fastify's `http` option). */
  http: ServerOptions;
  /** Fastify sets these on the server itself, over what `http` gave (its own defaults turn them off). */
  requestTimeout: number;
  keepAliveTimeout: number;
}

export function httpTimeouts(config: TimeoutSettings): HttpTimeouts {
  // Node refuses headers a longer time than the whole request.
  const headersTimeout = Math.min(config.headersTimeoutMs, config.requestTimeoutMs);
  const shortest = Math.min(headersTimeout, config.keepAliveTimeoutMs);
  return {
    http: {
      headersTimeout,
      requestTimeout: config.requestTimeoutMs,
      keepAliveTimeout: config.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(10, Math.min(MAX_CHECK_INTERVAL_MS, Math.floor(shortest / 4))),
    },
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
  };
}
