import type { AuthResult, ErrorBody, NativeEventMap, SendResult, UserRef } from '../protocol/native.js';
import type { ParleyClientError } from './errors.js';
import type { TabSharingOptions } from './tab-protocol.js';
import type { SocketIoTransportOptions } from './transport-socketio.js';
import type { WebSocketConstructorLike } from './transport-ws.js';

/**
 * How the client proves who it is; `guest` is the nickname, `verification` the token of the app's verification
 * widget when the app asks new guests for one (a guest coming back with its resume token needs none).
 */
export type ClientCredentials =
  | { token: string }
  | { jwt: string }
  | { guest: string; verification?: string }
  | { username: string; password: string }
  /** A bot's API key (docs/bots.md): the client is the bot, told of its commands as `command` events. */
  | { apiKey: string };

export type TransportKind = 'ws' | 'socket.io';

/**
 * - `connecting`: connect() is opening the first connection (and authenticating);
 * - `open`: connected, authenticated when credentials were given, every joined room re-joined;
 * - `reconnecting`: the connection dropped, the client is waiting to retry or retrying;
 * - `closed`: not connected and not trying (before connect(), after close(), or after a final disconnect).
 */
export type ClientState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ParleyClientOptions {
  /** The server's base URL, e.g. `https://chat.example.com` (http(s) or ws(s)). */
  url: string;
  transport: TransportKind;
  /** App id (default 1). */
  app?: number;
  credentials?: ClientCredentials;
  /** Reconnect after a lost connection (default true). Never after kicked, banned or expired credentials. */
  reconnect?: boolean;
  /** WebSocket constructor for the `ws` transport; default: the global one, else the `ws` package. */
  WebSocket?: WebSocketConstructorLike;
  /** Per-request timeout (default 10 000 ms). */
  requestTimeoutMs?: number;
  /** First reconnect delay (default 500 ms); doubles per attempt, with jitter. */
  reconnectDelayMs?: number;
  /** Longest reconnect delay (default 30 000 ms). */
  maxReconnectDelayMs?: number;
  /** Give up after this many failed attempts in a row (default: never). */
  maxReconnectAttempts?: number;
  /** Server path of the endpoint (default `/ws` for ws, `/socket.io` for socket.io). */
  path?: string;
  /** socket.io only: transports (default `['websocket']`) and extra socket.io-client options. */
  socketIo?: SocketIoTransportOptions;
  /**
   * Browsers: one connection for all the tabs of this origin that share a scope (default off). The tab holding
   * the Web Lock owns it, the others use it over a BroadcastChannel; without either, each tab connects itself.
   * `true` scopes by server, app and the user the credentials name; `{ scope }` sets the scope's last part.
   */
  shareAcrossTabs?: boolean | TabSharingOptions;
}

/** Why the client is no longer connected. */
export interface DisconnectedEvent {
  /** WebSocket close code (4004 kicked, 4005 banned, 4001 credentials expired, 1001 shutdown, 1006 lost...). */
  code: number;
  /** The disconnect catalogue reason (`kicked`, `banned`, `shutdown`...), `connection_lost` or `client_closed`. */
  reason: string;
  message: string;
  /** False when the client stays closed. */
  willReconnect: boolean;
  /** The error the server gave, when it refused the connection or the authentication. */
  error?: ErrorBody;
}

export interface ReconnectedEvent {
  /** How many attempts it took. */
  attempts: number;
  /** Rooms re-joined. */
  rooms: string[];
  /** Rooms that could not be re-joined (deleted, no longer visible); see the `error` events. */
  failedRooms: string[];
  auth: AuthResult | null;
}

/** Everything `on()` accepts: every server event, plus the client's own. */
export interface ClientEventMap extends NativeEventMap {
  /** Each user of an `online_changed` batch's `online` list, one event per user, after the batch itself. */
  user_online: { user: UserRef };
  /** Each user of an `online_changed` batch's `offline` list, one event per user, after the batch itself. */
  user_offline: { user: UserRef };
  state: ClientState;
  disconnected: DisconnectedEvent;
  reconnected: ReconnectedEvent;
  /** Errors not tied to a request: a room that failed to re-join, an error frame the server sent. */
  error: ParleyClientError;
}

export type ClientEventName = keyof ClientEventMap;

/** A command typed for this bot (`onCommand`), with the way to answer it in its room. */
export type BotCommandEvent = NativeEventMap['command'] & { reply(text: string): Promise<SendResult> };
