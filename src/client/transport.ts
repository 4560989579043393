import type { ErrorBody } from '../protocol/native.js';

/** How a connection ended, as the client reports it in `disconnected`. */
export interface CloseInfo {
  /** WebSocket close code (for socket.io, the code from the server's `disconnect_reason`; 1006 when the link broke). */
  code: number;
  /** A disconnect catalogue reason (`kicked`, `banned`, `shutdown`...) or a client-side one (`connection_lost`, `client_closed`). */
  reason: string;
  message: string;
  /** The error the server sent just before closing (a failed admission: `origin_not_allowed`, `not_found`...). */
  error?: ErrorBody;
}

export interface TransportHandlers {
  /** A server event. */
  event(name: string, data: unknown): void;
  /** An error the server sent outside any request (an unreadable frame, a socket.io event without ack). */
  error(error: ErrorBody): void;
  /** The connection is gone; called once, after `open()` resolved. */
  close(info: CloseInfo): void;
}

/** One connection over one framing. Opened by a TransportFactory; never reopened. */
export interface Transport {
  /** Send a request; resolves with the reply's data, rejects with a ParleyClientError. */
  request(op: string, data: unknown, timeoutMs: number): Promise<unknown>;
  /** Close deliberately (no reconnect follows on the client's side). */
  close(): void;
  /** Cut the connection abruptly, as a network failure would. */
  drop(): void;
}

export interface TransportOptions {
  url: string;
  app: number;
  /** Path of the endpoint on the server (ws: `/ws`; socket.io: `/socket.io`). */
  path?: string;
  handlers: TransportHandlers;
}

export type TransportFactory = (options: TransportOptions) => Promise<Transport>;
