/**
 * The native protocol over socket.io, namespace `/` ([proto.socketio]): every operation is an event whose last
 * argument is an ack callback; server events are socket.io events of the same names.
 */
import { peerAddress } from '../kernel/peerAddress.js';
import type { Server, Socket } from 'socket.io';
import type { Disconnect } from '../../core/disconnect.js';
import { ParleyError, toParleyError } from '../../core/errors.js';
import type { SessionSink } from '../../engine/api.js';
import type { EngineEvent } from '../../engine/events.js';
import type { Ack } from '../../protocol/native.js';
import { encodeOnce } from '../encodeOnce.js';
import { engineIoFrame } from '../wsFrame.js';
import { engineIoBufferedBytes } from '../kernel/engineIo.js';
import {
  attachNamespace,
  endSocket,
  refusal,
  type NamespaceConnection,
} from '../kernel/socketIoNamespace.js';
import type { GatewayDeps } from '../types.js';
import { admit, NativeConnection, parseHandshakeCredentials } from './connection.js';
import type { Admission } from './connection.js';
import { toWireEvent } from './wire.js';

export { engineIoBufferedBytes };

export const DISCONNECT_REASON_EVENT = 'disconnect_reason';
export const ERROR_EVENT = 'error';

/**
 * A socket.io EVENT packet for namespace `/`, as socket.io-parser would encode it: type `2` and the JSON array
 * `[name, data]`. Written straight to the engine.io connection so that a room's fan-out encodes it once.
 */
export function encodeSocketIoPush(event: EngineEvent): string {
  const push = toWireEvent(event);
  return '2' + JSON.stringify([push.event, push.data]);
}

type SendOptions = NonNullable<Parameters<Socket['conn']['write']>[1]>;

/** A pushed packet with its ready WebSocket frame: a fan-out writes the same bytes to every websocket client. */
interface PreparedPacket {
  packet: string;
  options: SendOptions & { wsPreEncodedFrame: Buffer[] };
}

function encodePreparedPush(event: EngineEvent): PreparedPacket {
  const packet = encodeSocketIoPush(event);
  return { packet, options: { compress: false, wsPreEncodedFrame: engineIoFrame(packet) } };
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

type AckFn = (reply: Ack) => void;

interface SocketData {
  admission?: Admission;
}

export function attachNativeSocketIo(io: Server, deps: GatewayDeps): { close(): Promise<void> } {
  const { logger } = deps;
  return attachNamespace(io, {
    deps,
    namespace: '/',
    name: 'native',
    // [proto.app] [proto.origin] [proto.handshake] Admission runs before the connection exists, so a refusal
    // reaches the client as connect_error with the error body in `err.data`.
    async admit(socket) {
      const auth: Record<string, unknown> =
        typeof socket.handshake.auth === 'object' && socket.handshake.auth !== null
          ? socket.handshake.auth
          : {};
      const query = socket.handshake.query;
      try {
        (socket.data as SocketData).admission = await admit(deps, {
          app: auth.app ?? first(query.app),
          origin: socket.handshake.headers.origin,
          address: peerAddress(socket.request, deps.config.trustedProxies),
          credentials: () =>
            parseHandshakeCredentials({ token: auth.token, jwt: auth.jwt, guest: auth.guest }),
        });
      } catch (err) {
        const error = toParleyError(err);
        if (error.code === 'internal') logger.error({ err }, 'native socket.io admission failed');
        throw refusal(error);
      }
    },
    accept: (socket) => acceptSocket(deps, socket),
  });
}

function acceptSocket(deps: GatewayDeps, socket: Socket): NamespaceConnection {
  const admission = (socket.data as SocketData).admission;
  const sink: SessionSink = {
    deliver(event) {
      if (!socket.connected) return;
      const prepared = encodeOnce(event, 'native-sio', encodePreparedPush);
      socket.conn.write(prepared.packet, prepared.options);
    },
    bufferedBytes: () => engineIoBufferedBytes(socket.conn),
    terminate: (reason: Disconnect) => endSocket(socket, reason, DISCONNECT_REASON_EVENT),
  };
  const connection = new NativeConnection(
    deps,
    'socket.io',
    sink,
    peerAddress(socket.request, deps.config.trustedProxies),
  );
  if (!admission) {
    socket.disconnect(true);
    connection.closedBySocket();
    return { receive: () => {}, closed: () => {}, shutdown: () => {} };
  }
  void connection.start(Promise.resolve(admission));
  return {
    receive(op, args) {
      const last = args[args.length - 1];
      const ack = typeof last === 'function' ? (last as AckFn) : null;
      const params = ack ? args.slice(0, -1) : args;
      const answer = (reply: Ack) => {
        if (ack) ack(reply);
        else if (!reply.ok && socket.connected) socket.emit(ERROR_EVENT, reply.error);
      };
      if (params.length > 1) {
        const error = new ParleyError('bad_request', 'Send one data argument and an ack callback', {
          field: 'data',
        });
        connection.refuseFrame(() => answer({ ok: false, error: error.toBody() }));
        return;
      }
      connection.request(op, params[0], answer);
    },
    closed: () => connection.closedBySocket(),
    shutdown: (reason) => endSocket(socket, reason, DISCONNECT_REASON_EVENT),
  };
}
