/**
 * The eventchat dialect on the shared socket.io server, namespace `/eventchat`: one EventchatConnection per
 * socket. Every event the client emits goes to the connection (an ack callback, which the dialect does not
 * use, is dropped); what the server says goes out as ordinary socket.io events.
 */
import { peerAddress } from '../kernel/peerAddress.js';
import type { Server, Socket } from 'socket.io';
import { engineIoBufferedBytes, writeSharedPacket } from '../kernel/engineIo.js';
import { attachNamespace } from '../kernel/socketIoNamespace.js';
import type { GatewayDeps, SocketIoAttachment } from '../types.js';
import { EventchatConnection, type EventchatSocket } from './connection.js';
import { EVENTCHAT_NAMESPACE } from './protocol.js';

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
      writeSharedPacket(socket.conn, packet);
    },
    bufferedBytes: () => engineIoBufferedBytes(socket.conn),
    disconnect() {
      if (socket.connected) socket.disconnect(true);
    },
  };
}

export const attachEventchat: SocketIoAttachment = (io: Server, deps: GatewayDeps) =>
  attachNamespace(io, {
    deps,
    namespace: EVENTCHAT_NAMESPACE,
    name: 'eventchat',
    accept(socket) {
      const connection = new EventchatConnection(deps, socketAdapter(socket), 'socket.io');
      connection.start({
        app: socket.handshake.query.app,
        origin: socket.handshake.headers.origin,
        address: peerAddress(socket.request, deps.config.trustedProxies),
      });
      return {
        receive(event, args) {
          const last = args[args.length - 1];
          connection.receive(event, typeof last === 'function' ? args.slice(0, -1) : args);
        },
        // `socket.disconnect()` on the client: it left on purpose (the document's "disconnect" event).
        closed: (reason) => connection.closedBySocket(reason === 'client namespace disconnect'),
        shutdown: (reason) => connection.terminate(reason),
      };
    },
  });
