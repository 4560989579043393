/**
 * A gateway's namespace on the shared socket.io server: optional admission before the connection exists
 * (a refusal reaches the client as connect_error), one handler per connected socket, every event handed to it,
 * the socket's end told once, and a shutdown that ends every socket and waits until they have all gone.
 */
import type { Namespace, Server, Socket } from 'socket.io';
import { disconnect, type Disconnect } from '../../core/disconnect.js';
import { ParleyError } from '../../core/errors.js';
import type { GatewayDeps } from '../types.js';

/** One connected socket, as its gateway handles it. */
export interface NamespaceConnection {
  /** An event from the client with all its arguments (an ack callback, if any, last). */
  receive(event: unknown, args: unknown[]): void;
  /** The socket has disconnected, whoever ended it; `reason` is socket.io's. */
  closed(reason: string): void;
  /** The server is stopping: say so in the gateway's terms and disconnect. */
  shutdown(reason: Disconnect): void;
}

export interface NamespaceOptions {
  deps: GatewayDeps;
  namespace: string;
  /** Names the gateway in its log lines. */
  name: string;
  /**
   * Runs before the connection is accepted, once per handshake. A rejection refuses the connection with what
   * it rejected with (see refusal()).
   */
  admit?(socket: Socket): Promise<void>;
  accept(socket: Socket): NamespaceConnection;
}

/** A middleware error carrying the catalogue body: socket.io-client sees it as `err.data` on connect_error. */
export function refusal(error: ParleyError): Error & { data: unknown } {
  const err = new Error(error.message) as Error & { data: unknown };
  err.data = error.toBody();
  return err;
}

/**
 * Tell the client why (`disconnect_reason` {reason, code, message}) and disconnect it. `whole` ends the
 * underlying connection and every namespace on it, not only this one.
 */
export function endSocket(socket: Socket, reason: Disconnect, event: string, whole = true): void {
  if (!socket.connected) return;
  socket.emit(event, disconnectData(reason));
  socket.disconnect(whole);
}

/** The data of a `disconnect_reason` event. */
export function disconnectData(reason: Disconnect): { reason: string; code: number; message: string } {
  return { reason: reason.reason, code: reason.code, message: reason.message };
}

export function attachNamespace(io: Server, options: NamespaceOptions): { close(): Promise<void> } {
  const { deps, name, admit } = options;
  const nsp: Namespace = io.of(options.namespace);
  const live = new Map<Socket, { connection: NamespaceConnection; closed: Promise<void> }>();
  let accepting = true;

  if (admit) {
    nsp.use((socket, next) => {
      if (!accepting) {
        next(refusal(new ParleyError('unavailable', 'The server is shutting down')));
        return;
      }
      admit(socket).then(
        () => next(),
        (err: unknown) => next(err instanceof Error ? err : new Error(String(err))),
      );
    });
  }

  const onConnection = (socket: Socket) => {
    if (!accepting) {
      socket.disconnect(true);
      return;
    }
    const connection = options.accept(socket);
    // Refused on the spot (its handler disconnected it): nothing to track, nothing to wait for at shutdown.
    if (!socket.connected) return;
    let resolveClosed = () => {};
    const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
    live.set(socket, { connection, closed });
    socket.on('disconnect', (reason: string) => {
      live.delete(socket);
      connection.closed(reason);
      resolveClosed();
    });
    socket.on('error', (err: unknown) => deps.logger.debug({ err }, `${name} socket error`));
    socket.onAny((event: unknown, ...args: unknown[]) => connection.receive(event, args));
  };
  nsp.on('connection', onConnection);

  return {
    async close() {
      accepting = false;
      nsp.off('connection', onConnection);
      const entries = [...live.values()];
      const shutdown = disconnect('shutdown');
      for (const { connection } of entries) connection.shutdown(shutdown);
      await Promise.all(entries.map((entry) => entry.closed));
    },
  };
}
