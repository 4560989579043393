/**
 * The moneypot dialect's socket.io edge: namespace `/moneypot` on the shared socket.io server. Each socket gets
 * one MoneypotConnection; every event it sends goes to that connection, and the server's shutdown ends every
 * socket with `disconnect_reason` {reason: "shutdown"}.
 */
import type { Server, Socket } from 'socket.io';
import type { Disconnect } from '../../core/disconnect.js';
import { engineIoBufferedBytes, writeSharedPacket } from '../kernel/engineIo.js';
import { attachNamespace, disconnectData } from '../kernel/socketIoNamespace.js';
import type { GatewayDeps } from '../types.js';
import { MoneypotConnection } from './connection.js';
import type { Outbox } from './connection.js';
import { MONEYPOT_NAMESPACE, SERVER_EVENTS } from './protocol.js';

function outboxFor(socket: Socket): Outbox {
  return {
    transport: 'socket.io',
    origin: socket.handshake.headers.origin,
    emit(name, payload) {
      if (socket.connected) socket.emit(name, payload);
    },
    writePacket(packet) {
      if (socket.connected) writeSharedPacket(socket.conn, packet);
    },
    bufferedBytes: () => engineIoBufferedBytes(socket.conn),
    close(reason: Disconnect) {
      if (!socket.connected) return;
      socket.emit(SERVER_EVENTS.disconnectReason, disconnectData(reason));
      socket.emit(SERVER_EVENTS.systemMessage, reason.message);
      // A slow consumer's whole connection is the problem; otherwise only this namespace is ended, so that a
      // page multiplexing other namespaces over the same connection keeps them.
      socket.disconnect(reason.reason === 'slow_consumer');
    },
  };
}

export function attachMoneypotSocketIo(io: Server, deps: GatewayDeps): { close(): Promise<void> } {
  return attachNamespace(io, {
    deps,
    namespace: MONEYPOT_NAMESPACE,
    name: 'moneypot',
    accept(socket) {
      const outbox = outboxFor(socket);
      const connection = new MoneypotConnection(deps, outbox);
      return {
        receive: (name, args) => connection.handle(name, args),
        closed: () => connection.closedBySocket(),
        shutdown: (reason) => outbox.close(reason),
      };
    },
  });
}
