/**
 * The moneypot dialect's socket.io edge: namespace `/moneypot` on the shared socket.io server. Each socket gets
 * one MoneypotConnection; every event it sends goes to that connection, and the server's shutdown ends every
 * socket with `disconnect_reason` {reason: "shutdown"}.
 */
import type { Server, Socket } from 'socket.io';
import { disconnect } from '../../core/disconnect.js';
import type { Disconnect } from '../../core/disconnect.js';
import { engineIoBufferedBytes } from '../native/socketio.js';
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
      if (socket.connected) socket.conn.write(packet);
    },
    bufferedBytes: () => engineIoBufferedBytes(socket.conn),
    close(reason: Disconnect) {
      if (!socket.connected) return;
      socket.emit(SERVER_EVENTS.disconnectReason, {
        reason: reason.reason,
        code: reason.code,
        message: reason.message,
      });
      socket.emit(SERVER_EVENTS.systemMessage, reason.message);
      // A slow consumer's whole connection is the problem; otherwise only this namespace is ended, so that a
      // page multiplexing other namespaces over the same connection keeps them.
      socket.disconnect(reason.reason === 'slow_consumer');
    },
  };
}

export function attachMoneypotSocketIo(io: Server, deps: GatewayDeps): { close(): Promise<void> } {
  const nsp = io.of(MONEYPOT_NAMESPACE);
  const live = new Map<Socket, { connection: MoneypotConnection; closed: Promise<void> }>();
  let accepting = true;

  const onConnection = (socket: Socket) => {
    if (!accepting) {
      socket.disconnect(true);
      return;
    }
    const outbox = outboxFor(socket);
    const connection = new MoneypotConnection(deps, outbox);
    let resolveClosed = () => {};
    const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
    live.set(socket, { connection, closed });
    socket.on('disconnect', () => {
      live.delete(socket);
      connection.closedBySocket();
      resolveClosed();
    });
    socket.onAny((name: unknown, ...args: unknown[]) => connection.handle(name, args));
  };
  nsp.on('connection', onConnection);

  return {
    async close() {
      accepting = false;
      nsp.off('connection', onConnection);
      const shutdown = disconnect('shutdown');
      const closing = [...live.values()].map((entry) => entry.closed);
      for (const socket of [...live.keys()]) {
        if (!socket.connected) continue;
        outboxFor(socket).close(shutdown);
      }
      await Promise.all(closing);
    },
  };
}
