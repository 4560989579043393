/**
 * The numeric dialect over plain WebSocket at `/numeric/chat/login/NICK` (`?app=N`): upgrade, heartbeat,
 * frame size limit (ws closes with 1009) and shutdown with 1001 come from the shared host. One
 * NumericConnection per socket does the rest.
 */
import type { GatewayDeps, WsGateway } from '../types.js';
import { peerAddress } from '../kernel/peerAddress.js';
import { createWsHost } from '../wsHost.js';
import { NumericConnection } from './connection.js';
import type { LoginRequest } from './connection.js';

export const NUMERIC_LOGIN_PATH = '/numeric/chat/login';

/** The nickname and app of an upgrade request's URL; `nick` is null when it is not valid percent-encoding. */
export function readLoginUrl(url: string | undefined): { nick: string | null; app: string | null } {
  let parsed: URL;
  try {
    parsed = new URL(url ?? '/', 'http://localhost');
  } catch {
    return { nick: null, app: null };
  }
  const prefix = `${NUMERIC_LOGIN_PATH}/`;
  const raw = parsed.pathname.startsWith(prefix) ? parsed.pathname.slice(prefix.length) : '';
  let nick: string | null;
  try {
    nick = decodeURIComponent(raw);
  } catch {
    nick = null;
  }
  return { nick, app: parsed.searchParams.get('app') };
}

export function createNumericWsGateway(deps: GatewayDeps): WsGateway {
  return createWsHost({
    deps,
    name: 'numeric',
    matches: (pathname) => pathname === NUMERIC_LOGIN_PATH || pathname.startsWith(`${NUMERIC_LOGIN_PATH}/`),
    accept(socket, req) {
      const connection = new NumericConnection(deps, socket);
      return {
        id: connection.id,
        start() {
          const request: LoginRequest = {
            ...readLoginUrl(req.url),
            origin: req.headers.origin,
            address: peerAddress(req, deps.config.trustedProxies),
          };
          connection.start(request);
        },
        receive: (text) => connection.receive(text),
        closedBySocket: () => connection.socketClosed(),
      };
    },
  });
}
