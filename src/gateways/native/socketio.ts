/**
 * The native protocol over socket.io, namespace `/` ([proto.socketio]): every operation is an event whose last
 * argument is an ack callback; server events are socket.io events of the same names.
 */
import type { Server, Socket } from 'socket.io';
import { disconnect } from '../../core/disconnect.js';
import type { Disconnect } from '../../core/disconnect.js';
import { ParleyError, toParleyError } from '../../core/errors.js';
import type { SessionSink } from '../../engine/api.js';
import type { EngineEvent } from '../../engine/events.js';
import type { Ack, DisconnectReasonData } from '../../protocol/native.js';
import { encodeOnce } from '../encodeOnce.js';
import { engineIoFrame } from '../wsFrame.js';
import type { GatewayDeps } from '../types.js';
import { admit, NativeConnection, parseHandshakeCredentials } from './connection.js';
import type { Admission } from './connection.js';
import { toWireEvent } from './wire.js';

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

function readProp(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
}

function sizeOf(data: unknown): number {
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

/**
 * Bytes waiting on an engine.io connection: its packet write buffer (estimated from the packets' data) plus
 * what the WebSocket transport underneath has not sent yet. Both are internals, read defensively.
 */
export function engineIoBufferedBytes(conn: unknown): number {
  let total = 0;
  const writeBuffer = readProp(conn, 'writeBuffer');
  if (Array.isArray(writeBuffer)) {
    for (const packet of writeBuffer as unknown[]) total += sizeOf(readProp(packet, 'data'));
  }
  const amount = readProp(readProp(readProp(conn, 'transport'), 'socket'), 'bufferedAmount');
  if (typeof amount === 'number' && Number.isFinite(amount)) total += amount;
  return total;
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
  const nsp = io.of('/');
  const live = new Map<Socket, Promise<void>>();
  let accepting = true;

  // [proto.app] [proto.origin] [proto.handshake] Admission runs before the connection exists, so a refusal
  // reaches the client as connect_error with the error body in `err.data`.
  nsp.use((socket, next) => {
    if (!accepting) {
      next(errorFor(new ParleyError('unavailable', 'The server is shutting down')));
      return;
    }
    const auth: Record<string, unknown> =
      typeof socket.handshake.auth === 'object' && socket.handshake.auth !== null
        ? socket.handshake.auth
        : {};
    const query = socket.handshake.query;
    admit(deps, {
      app: auth.app ?? first(query.app),
      origin: socket.handshake.headers.origin,
      credentials: () => parseHandshakeCredentials({ token: auth.token, jwt: auth.jwt, guest: auth.guest }),
    }).then(
      (admission) => {
        (socket.data as SocketData).admission = admission;
        next();
      },
      (err: unknown) => {
        const error = toParleyError(err);
        if (error.code === 'internal') logger.error({ err }, 'native socket.io admission failed');
        next(errorFor(error));
      },
    );
  });

  const onConnection = (socket: Socket) => {
    const admission = (socket.data as SocketData).admission;
    if (!admission || !accepting) {
      socket.disconnect(true);
      return;
    }
    const sink: SessionSink = {
      deliver(event) {
        if (!socket.connected) return;
        const prepared = encodeOnce(event, 'native-sio', encodePreparedPush);
        socket.conn.write(prepared.packet, prepared.options);
      },
      bufferedBytes: () => engineIoBufferedBytes(socket.conn),
      terminate(reason: Disconnect) {
        if (!socket.connected) return;
        const data: DisconnectReasonData = {
          reason: reason.reason,
          code: reason.code,
          message: reason.message,
        };
        socket.emit(DISCONNECT_REASON_EVENT, data);
        socket.disconnect(true);
      },
    };
    const connection = new NativeConnection(deps, 'socket.io', sink);
    let resolveClosed = () => {};
    live.set(socket, new Promise<void>((resolve) => (resolveClosed = resolve)));
    socket.on('disconnect', () => {
      live.delete(socket);
      connection.closedBySocket();
      resolveClosed();
    });

    socket.onAny((op: unknown, ...args: unknown[]) => {
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
        answer({ ok: false, error: error.toBody() });
        return;
      }
      void connection.dispatch(op, params[0]).then(answer);
    });

    void connection.start(Promise.resolve(admission));
  };
  nsp.on('connection', onConnection);

  return {
    async close() {
      accepting = false;
      nsp.off('connection', onConnection);
      const shutdown = disconnect('shutdown');
      const sockets = [...live.keys()];
      const closed = [...live.values()];
      for (const socket of sockets) {
        if (!socket.connected) continue;
        const data: DisconnectReasonData = {
          reason: shutdown.reason,
          code: shutdown.code,
          message: shutdown.message,
        };
        socket.emit(DISCONNECT_REASON_EVENT, data);
        socket.disconnect(true);
      }
      await Promise.all(closed);
    },
  };
}

/** A middleware error carrying the catalogue body: socket.io-client sees it as `err.data` on connect_error. */
function errorFor(error: ParleyError): Error & { data: unknown } {
  const err = new Error(error.message) as Error & { data: unknown };
  err.data = error.toBody();
  return err;
}
