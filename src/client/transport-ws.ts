/** The native protocol over a plain WebSocket: the browser's, Node's global one, or the `ws` package. */
import { DISCONNECT_REASONS } from '../protocol/native.js';
import type { ErrorBody } from '../protocol/native.js';
import { isErrorBody, ParleyClientError } from './errors.js';
import { PendingRequests, readProp } from './pending.js';
import type { CloseInfo, Transport, TransportFactory, TransportOptions } from './transport.js';

/**
 * What the client needs of a WebSocket. The browser's WebSocket and the `ws` package's both fit; handler
 * properties are typed loosely so that either assigns without casts.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: drop the TCP connection without a close handshake. */
  terminate?: () => void;
  onopen: unknown;
  onmessage: unknown;
  onclose: unknown;
  onerror: unknown;
}

export type WebSocketConstructorLike = new (url: string) => WebSocketLike;

const OPEN = 1;

/**
 * A WebSocket constructor: the given one; in Node the `ws` package when it is installed (it tells the HTTP
 * status and `Retry-After` of a refused upgrade and sees a cut connection at once, where Node's own WebSocket
 * does neither), else the global one (browsers, Node without `ws`).
 */
export async function resolveWebSocket(given?: WebSocketConstructorLike): Promise<WebSocketConstructorLike> {
  if (given) return given;
  const global: unknown = Reflect.get(globalThis, 'WebSocket');
  const inNode = readProp(Reflect.get(globalThis, 'process'), 'versions') !== undefined;
  if (inNode || typeof global !== 'function') {
    const ctor = await import('ws').then(
      (mod: unknown) => readProp(mod, 'WebSocket') ?? readProp(mod, 'default'),
      () => undefined,
    );
    if (typeof ctor === 'function') return ctor as WebSocketConstructorLike;
  }
  if (typeof global === 'function') return global as WebSocketConstructorLike;
  throw new ParleyClientError('connect_failed', 'No WebSocket implementation: pass options.WebSocket');
}

/** `http://host:port` (or ws://, https://, wss://) → `ws://host:port/ws?app=N`. */
export function nativeWsUrl(base: string, app: number, path = '/ws'): string {
  const url = new URL(base);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.pathname === '/' || url.pathname === '') url.pathname = path;
  url.searchParams.set('app', String(app));
  return url.toString();
}

/** The reason and message of a close: the server's reason text (a catalogue reason or an error code) first. */
function describeClose(code: number, text: string): { reason: string; message: string } {
  const byCode = Object.entries(DISCONNECT_REASONS).find(([, entry]) => entry.code === code);
  if (text) return { reason: text, message: byCode?.[1].message ?? text };
  if (byCode) return { reason: byCode[0], message: byCode[1].message };
  return { reason: 'connection_lost', message: `Connection closed (${code})` };
}

export function createWsTransportFactory(WebSocketCtor?: WebSocketConstructorLike): TransportFactory {
  return async (options: TransportOptions): Promise<Transport> => {
    const Ctor = await resolveWebSocket(WebSocketCtor);
    const socket = new Ctor(nativeWsUrl(options.url, options.app, options.path));
    const pending = new PendingRequests();
    let nextId = 1;
    let lastError: ErrorBody | undefined;
    let closedByUs = false;
    let closeSeen = false;
    let opened = false;

    return new Promise<Transport>((resolve, reject) => {
      const transport: Transport = {
        request(op, data, timeoutMs) {
          if (socket.readyState !== OPEN) {
            // Closing: the close event rejects it, with the server's reason when it gave one.
            if (opened && !closeSeen) return pending.add(nextId++, op, timeoutMs);
            return Promise.reject(new ParleyClientError('disconnected', `Not connected: ${op} was not sent`));
          }
          const id = nextId++;
          const promise = pending.add(id, op, timeoutMs);
          socket.send(JSON.stringify(data === undefined ? { id, op } : { id, op, data }));
          return promise;
        },
        close() {
          closedByUs = true;
          socket.close(1000, 'client_closed');
        },
        drop() {
          if (socket.terminate) socket.terminate();
          else socket.close(4000, 'dropped');
        },
      };

      socket.onopen = () => {
        opened = true;
        resolve(transport);
      };
      socket.onerror = () => {
        // The close event follows with the details.
      };
      socket.onmessage = (ev: unknown) => {
        const raw = readProp(ev, 'data');
        if (typeof raw !== 'string') return;
        let frame: unknown;
        try {
          frame = JSON.parse(raw);
        } catch {
          return;
        }
        // An error without a request id explains a close only when the close follows it directly.
        lastError = undefined;
        const event = readProp(frame, 'event');
        if (typeof event === 'string') {
          options.handlers.event(event, readProp(frame, 'data'));
          return;
        }
        const id = readProp(frame, 'id');
        const ok = readProp(frame, 'ok');
        if (ok === true && (typeof id === 'number' || typeof id === 'string')) {
          pending.resolve(id, readProp(frame, 'data'));
        } else if (ok === false) {
          const error = readProp(frame, 'error');
          if (!isErrorBody(error)) return;
          if (id === null || id === undefined) {
            lastError = error;
            options.handlers.error(error);
          } else if (typeof id === 'number' || typeof id === 'string') {
            pending.reject(id, ParleyClientError.fromBody(error));
          }
        }
      };
      socket.onclose = (ev: unknown) => {
        closeSeen = true;
        const code = readProp(ev, 'code');
        const reasonText = readProp(ev, 'reason');
        const numeric = typeof code === 'number' ? code : 1006;
        const described = closedByUs
          ? { reason: 'client_closed', message: 'Closed by the client' }
          : describeClose(numeric, typeof reasonText === 'string' ? reasonText : '');
        const info: CloseInfo = { code: numeric, ...described };
        if (lastError) info.error = lastError;
        let failure: ParleyClientError;
        if (numeric === 1009) {
          failure = new ParleyClientError(
            'frame_too_large',
            'The server closed the connection: a frame was too large',
            {
              status: 413,
            },
          );
        } else if (lastError) {
          failure = ParleyClientError.fromBody(lastError);
        } else {
          failure = new ParleyClientError('disconnected', `The connection closed (${info.reason})`);
        }
        pending.rejectAll(failure);
        if (opened) options.handlers.close(info);
        else {
          const error = lastError
            ? ParleyClientError.fromBody(lastError)
            : new ParleyClientError('connect_failed', `Could not connect to ${options.url} (${numeric})`, {
                details: { code: numeric },
              });
          reject(error);
        }
      };
    });
  };
}
