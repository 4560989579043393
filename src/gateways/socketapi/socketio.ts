/**
 * The socketapi dialect on the shared socket.io server, namespace `/socketapi`. Admission (the app from the
 * handshake query, the app's allowed origins) runs in the namespace middleware but never refuses there: a
 * refused connection is accepted, told why with socket-api-error (the dialect's only error shape) and
 * disconnected, so that a client written against the document sees the error it listens for.
 */
import type { Server, Socket } from 'socket.io';
import { isOriginAllowed } from '../../core/apps.js';
import { isParleyError, ParleyError } from '../../core/errors.js';
import type { AppId } from '../../core/types.js';
import { engineIoBufferedBytes } from '../native/socketio.js';
import type { GatewayDeps } from '../types.js';
import { SocketApiConnection } from './connection.js';
import type { Admission, Wire } from './connection.js';
import { NAMESPACE } from './protocol.js';

/** `app` from the handshake query: a positive integer, default 1. */
export function parseApp(raw: unknown): AppId {
  const value = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
  if (value === undefined || value === null || value === '') return 1;
  if (typeof value !== 'string' || !/^[1-9]\d{0,8}$/.test(value)) {
    throw new ParleyError('bad_request', 'app must be a positive integer (the workspace id)');
  }
  return Number(value);
}

/** The app of a new connection, or why it may not connect. */
export async function admit(
  deps: GatewayDeps,
  query: unknown,
  origin: string | undefined,
): Promise<Admission> {
  try {
    const appId = parseApp(
      typeof query === 'object' && query !== null ? Reflect.get(query, 'app') : undefined,
    );
    const app = await deps.engine.getApp(appId).catch((err: unknown) => {
      if (isParleyError(err) && err.code === 'not_found') return null;
      throw err;
    });
    if (!app) return { ok: false, message: `Unknown workspace: no app ${appId}` };
    if (!isOriginAllowed(origin, deps.config.allowedOrigins, app.settings.allowedOrigins)) {
      return { ok: false, message: new ParleyError('origin_not_allowed').message };
    }
    return { ok: true, appId };
  } catch (err) {
    if (isParleyError(err)) return { ok: false, message: err.message };
    deps.logger.error({ err }, 'socketapi admission failed');
    return { ok: false, message: new ParleyError('internal').message };
  }
}

interface SocketData {
  admission?: Admission;
}

export function attachSocketApi(io: Server, deps: GatewayDeps): { close(): Promise<void> } {
  const nsp = io.of(NAMESPACE);
  const live = new Map<Socket, Promise<void>>();
  let accepting = true;

  nsp.use((socket, next) => {
    if (!accepting) {
      next(new Error('The server is shutting down'));
      return;
    }
    void admit(deps, socket.handshake.query, socket.handshake.headers.origin).then((admission) => {
      (socket.data as SocketData).admission = admission;
      next();
    });
  });

  const onConnection = (socket: Socket) => {
    const admission = (socket.data as SocketData).admission;
    if (!admission || !accepting) {
      socket.disconnect(true);
      return;
    }
    const wire: Wire = {
      write(packet) {
        if (socket.connected) socket.conn.write(packet);
      },
      bufferedBytes: () => engineIoBufferedBytes(socket.conn),
      close() {
        if (socket.connected) socket.disconnect(true);
      },
    };
    let resolveClosed = () => {};
    live.set(socket, new Promise<void>((resolve) => (resolveClosed = resolve)));
    let connection: SocketApiConnection | null = null;
    socket.on('disconnect', () => {
      live.delete(socket);
      connection?.closedBySocket();
      resolveClosed();
    });
    connection = new SocketApiConnection(deps, wire, admission);
    const current = connection;
    socket.onAny((event: unknown, ...args: unknown[]) => current.receive(event, args));
  };
  nsp.on('connection', onConnection);

  return {
    async close() {
      accepting = false;
      nsp.off('connection', onConnection);
      const closed = [...live.values()];
      for (const socket of [...live.keys()]) if (socket.connected) socket.disconnect(true);
      await Promise.all(closed);
    },
  };
}
