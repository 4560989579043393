/**
 * The chatroom dialect over plain WebSocket at `/chatroom` (`?app=N`): the socket's side of a
 * ChatroomConnection, with Parley's heartbeat, frame limit (1009) and shutdown (1001) from the shared host.
 */
import type { GatewayDeps, WsGateway } from '../types.js';
import { createWsHost } from '../wsHost.js';
import { admit, appParamOf } from './admission.js';
import { ChatroomConnection } from './connection.js';

export const CHATROOM_WS_PATH = '/chatroom';

export function createChatroomWsGateway(deps: GatewayDeps): WsGateway {
  return createWsHost({
    deps,
    name: 'chatroom',
    matches: (pathname) => pathname === CHATROOM_WS_PATH || pathname === `${CHATROOM_WS_PATH}/`,
    accept(socket, req) {
      const connection = new ChatroomConnection(deps, Object.assign(socket, { transport: 'ws' }));
      return {
        id: connection.id,
        start: () => connection.start(admit(deps, appParamOf(req.url), req.headers.origin)),
        receive: (text) => connection.receive(text),
        closedBySocket: () => connection.closedBySocket(),
        // The dialect tells the client why in an error frame before the 1001 close.
        shutdown: (reason) => connection.end(reason),
      };
    },
  });
}
