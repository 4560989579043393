/**
 * The socketapi dialect on the shared socket.io server, namespace `/socketapi`. Admission (the app from the
 * handshake query, the app's allowed origins) runs in the namespace middleware but never refuses there: a
 * refused connection is accepted, told why with socket-api-error (the dialect's only error shape) and
 * disconnected, so that a client written against the document sees the error it listens for.
 */
import type { Server } from 'socket.io';
import { isParleyError, ParleyError } from '../../core/errors.js';
import type { AppId } from '../../core/types.js';
import { originAllowed, readAppId } from '../kernel/admission.js';
import { engineIoBufferedBytes, writeSharedPacket } from '../kernel/engineIo.js';
import { attachNamespace } from '../kernel/socketIoNamespace.js';
import type { GatewayDeps } from '../types.js';
import { SocketApiConnection } from './connection.js';
import type { Admission, Wire } from './connection.js';
import { NAMESPACE } from './protocol.js';

/** `app` from the handshake query: a positive integer, default 1. */
export function parseApp(raw: unknown): AppId {
  return readAppId(raw, 'app must be a positive integer (the workspace id)');
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
    if (!originAllowed(deps, app, origin)) {
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
  return attachNamespace(io, {
    deps,
    namespace: NAMESPACE,
    name: 'socketapi',
    async admit(socket) {
      const admission = await admit(deps, socket.handshake.query, socket.handshake.headers.origin);
      (socket.data as SocketData).admission = admission;
    },
    accept(socket) {
      const wire: Wire = {
        write(packet) {
          if (socket.connected) writeSharedPacket(socket.conn, packet);
        },
        bufferedBytes: () => engineIoBufferedBytes(socket.conn),
        close() {
          if (socket.connected) socket.disconnect(true);
        },
      };
      const admission = (socket.data as SocketData).admission;
      if (!admission) {
        wire.close();
        return { receive: () => {}, closed: () => {}, shutdown: () => {} };
      }
      const connection = new SocketApiConnection(deps, wire, admission);
      return {
        receive: (event, args) => connection.receive(event, args),
        closed: () => connection.closedBySocket(),
        shutdown: () => wire.close(),
      };
    },
  });
}
