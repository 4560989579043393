/**
 * The eventchat dialect on the shared socket.io server, namespace `/eventchat`: one EventchatConnection per
 * socket. Every event the client emits goes to the connection (an ack callback, which the dialect does not
 * use, is dropped); what the server says goes out as ordinary socket.io events.
 */
import type { Server, Socket } from 'socket.io';
import { disconnect } from '../../core/disconnect.js';
import { engineIoBufferedBytes } from '../native/socketio.js';
import type { GatewayDeps, SocketIoAttachment } from '../types.js';
import { EventchatConnection, type EventchatSocket } from './connection.js';
import { EVENTCHAT_NAMESPACE } from './protocol.js';

function first(value: unknown): unknown {
  return Array.isArray(value) ? (value as unknown[])[0] : value;
}

function socketAdapter(socket: Socket): EventchatSocket {
  return {
    get connected() {
      return socket.connected;
    },
    emit(frame) {
      if (frame.data === undefined) socket.emit(frame.event);
      else socket.emit(frame.event, frame.data);
    },
    writePacket(packet) {
      // An EVENT packet for this namespace, encoded once for every recipient (frames.encodePacket).
      socket.conn.write(packet);
    },
    bufferedBytes: () => engineIoBufferedBytes(socket.conn),
    disconnect() {
      if (socket.connected) socket.disconnect(true);
    },
  };
}

export const attachEventchat: SocketIoAttachment = (io: Server, deps: GatewayDeps) => {
  const nsp = io.of(EVENTCHAT_NAMESPACE);
  const live = new Map<Socket, { connection: EventchatConnection; closed: Promise<void> }>();
  let accepting = true;

  const onConnection = (socket: Socket) => {
    if (!accepting) {
      socket.disconnect(true);
      return;
    }
    const connection = new EventchatConnection(deps, socketAdapter(socket), 'socket.io');
    let resolveClosed = () => {};
    const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
    live.set(socket, { connection, closed });
    socket.on('disconnect', (reason: string) => {
      live.delete(socket);
      // `socket.disconnect()` on the client: it left on purpose (the document's "disconnect" event).
      connection.closedBySocket(reason === 'client namespace disconnect');
      resolveClosed();
    });
    socket.on('error', (err: unknown) => deps.logger.debug({ err }, 'eventchat socket error'));
    socket.onAny((event: unknown, ...args: unknown[]) => {
      const last = args[args.length - 1];
      connection.receive(event, typeof last === 'function' ? args.slice(0, -1) : args);
    });
    connection.start({ app: first(socket.handshake.query.app), origin: socket.handshake.headers.origin });
  };
  nsp.on('connection', onConnection);

  return {
    async close() {
      accepting = false;
      nsp.off('connection', onConnection);
      const entries = [...live.values()];
      for (const { connection } of entries) connection.terminate(disconnect('shutdown'));
      await Promise.all(entries.map((entry) => entry.closed));
    },
  };
};
