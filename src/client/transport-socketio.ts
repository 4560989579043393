/** The native protocol over socket.io (socket.io-client, loaded when first used). */
import type { ManagerOptions, Socket, SocketOptions } from 'socket.io-client';
import { DISCONNECT_REASONS } from '../protocol/native.js';
import type { ErrorBody } from '../protocol/native.js';
import { isErrorBody, ParleyClientError } from './errors.js';
import { PendingRequests, readProp } from './pending.js';
import type { CloseInfo, Transport, TransportFactory, TransportOptions } from './transport.js';

export interface SocketIoTransportOptions {
  /** Engine.io transports; default `['websocket']` (no long-polling). */
  transports?: ('websocket' | 'polling' | 'webtransport')[];
  /** Extra socket.io-client options (reconnection stays off: the Parley client reconnects itself). */
  extra?: Partial<ManagerOptions & SocketOptions>;
}

/** socket.io's `disconnect` reasons that mean the link broke (as opposed to someone closing it). */
function brokenLink(reason: string): boolean {
  return reason !== 'io server disconnect' && reason !== 'io client disconnect';
}

export function createSocketIoTransportFactory(opts: SocketIoTransportOptions = {}): TransportFactory {
  return async (options: TransportOptions): Promise<Transport> => {
    const { io } = await import('socket.io-client');
    const socket: Socket = io(options.url, {
      ...opts.extra,
      path: options.path ?? opts.extra?.path ?? '/socket.io',
      transports: opts.transports ?? ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: { app: options.app },
    });
    const pending = new PendingRequests();
    let lastReason: { reason: string; code: number; message: string } | undefined;
    let lastError: ErrorBody | undefined;
    let opened = false;
    let nextId = 1;

    return new Promise<Transport>((resolve, reject) => {
      const transport: Transport = {
        request(op, data, timeoutMs) {
          if (!socket.connected) {
            return Promise.reject(new ParleyClientError('disconnected', `Not connected: ${op} was not sent`));
          }
          const id = nextId++;
          const promise = pending.add(id, op, timeoutMs);
          const ack = (reply: unknown) => {
            if (readProp(reply, 'ok') === true) pending.resolve(id, readProp(reply, 'data'));
            else {
              const error = readProp(reply, 'error');
              pending.reject(
                id,
                isErrorBody(error)
                  ? ParleyClientError.fromBody(error)
                  : new ParleyClientError('disconnected', `Unreadable reply to ${op}`),
              );
            }
          };
          if (data === undefined) socket.emit(op, ack);
          else socket.emit(op, data, ack);
          return promise;
        },
        close() {
          socket.disconnect();
        },
        drop() {
          // Close the engine.io connection under the socket: socket.io reports "transport close".
          socket.io.engine.close();
        },
      };

      socket.on('connect', () => {
        opened = true;
        resolve(transport);
      });
      socket.on('connect_error', (err: Error) => {
        socket.close();
        const data = readProp(err, 'data');
        reject(
          isErrorBody(data)
            ? ParleyClientError.fromBody(data)
            : new ParleyClientError('connect_failed', `Could not connect to ${options.url}: ${err.message}`),
        );
      });
      socket.onAny((name: unknown, data: unknown) => {
        if (typeof name !== 'string') return;
        if (name === 'disconnect_reason') {
          const reason = readProp(data, 'reason');
          const code = readProp(data, 'code');
          const message = readProp(data, 'message');
          if (typeof reason === 'string' && typeof code === 'number') {
            lastReason = { reason, code, message: typeof message === 'string' ? message : reason };
          }
          return;
        }
        if (name === 'error') {
          if (isErrorBody(data)) {
            lastError = data;
            options.handlers.error(data);
          }
          return;
        }
        options.handlers.event(name, data);
      });
      socket.on('disconnect', (reason: string) => {
        let info: CloseInfo;
        if (reason === 'io client disconnect') {
          info = { code: 1000, reason: 'client_closed', message: 'Closed by the client' };
        } else if (lastReason) {
          info = { ...lastReason };
        } else if (brokenLink(reason)) {
          info = { code: 1006, reason: 'connection_lost', message: `The connection was lost (${reason})` };
        } else {
          info = {
            code: DISCONNECT_REASONS.logout.code,
            reason: 'server_disconnect',
            message: 'Disconnected by the server',
          };
        }
        if (lastError) info.error = lastError;
        pending.rejectAll(new ParleyClientError('disconnected', `The connection closed (${info.reason})`));
        socket.removeAllListeners();
        socket.offAny();
        if (opened) options.handlers.close(info);
      });
    });
  };
}
