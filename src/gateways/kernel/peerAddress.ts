import type { IncomingMessage } from 'node:http';
import proxyaddr from '@fastify/proxy-addr';

const compiled = new WeakMap<readonly string[], (address: string, hop: number) => boolean>();

/**
 * The client's address for an upgrade request: the socket's peer, or, when that peer is one of the trusted
 * proxies, the address it reports in X-Forwarded-For (the same rule the HTTP API applies through fastify's
 * trustProxy, so that one client has one address everywhere).
 */
export function peerAddress(req: IncomingMessage, trustedProxies: readonly string[]): string | undefined {
  if (req.socket.remoteAddress === undefined) return undefined;
  if (trustedProxies.length === 0) return req.socket.remoteAddress;
  let trust = compiled.get(trustedProxies);
  if (!trust) {
    trust = proxyaddr.compile([...trustedProxies]);
    compiled.set(trustedProxies, trust);
  }
  return proxyaddr(req, trust);
}
