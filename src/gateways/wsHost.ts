/**
 * What every plain-WebSocket gateway (native, chatroom, numeric) does the same way: the `ws` server on the shared
 * HTTP server, the frame size limit (ws closes with 1009), the heartbeat, error logging, and shutdown with 1001.
 * A dialect supplies its path and, per socket, a session that handles frames.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';
import { disconnect } from '../core/disconnect.js';
import type { Disconnect } from '../core/disconnect.js';
import type { GatewayDeps, WsGateway } from './types.js';

/** The socket as a dialect's connection sees it. */
export interface WsSocket {
  /** Write one text frame; dropped when the socket is no longer open. */
  send(frame: string): void;
  /** Write a ready text frame (see wsFrame.ts), shared by every recipient of a broadcast. */
  sendFrame(frame: Buffer): void;
  bufferedBytes(): number;
  /** Close with this code and reason, unless the socket is already closing. */
  close(code: number, reason: string): void;
}

/** One accepted socket, as the dialect handles it. */
export interface WsSession {
  /** Logged with the socket's errors; leave out where the connection has no id. */
  readonly id?: string;
  /** Admission or login: called once the socket's listeners are attached, so nothing it causes is missed. */
  start(): void;
  /** A text frame, or null for a binary one (each dialect answers those its own way). */
  receive(text: string | null): void;
  /** The socket has closed, whoever closed it. */
  closedBySocket(): void;
  /** Server shutdown. Without it the socket is closed with the reason's code (1001) and nothing sent first. */
  shutdown?(reason: Disconnect): void;
}

export interface WsHostOptions {
  deps: GatewayDeps;
  /** Names the gateway in its log lines: `<name> ws error`. */
  name: string;
  matches(pathname: string): boolean;
  accept(socket: WsSocket, req: IncomingMessage): WsSession;
  /** At shutdown, once every connection has closed and before the ws server closes. */
  onDrained?(): void;
}

/**
 * A socket as the host keeps it: ws's own socket (the server makes this class instead of its own), with the
 * dialect's session and the heartbeat's mark on it. The listeners are shared by every socket of a host and find
 * these through `this`: an idle connection keeps no closures and no object of the host's besides its socket.
 */
class TrackedSocket extends WebSocket {
  session: WsSession | null = null;
  /** Answered since the last heartbeat. */
  alive = true;
}

/** Every socket of a host's server is one (ws's listeners are typed with its base class as `this`). */
function tracked(ws: WebSocket): TrackedSocket {
  return ws as TrackedSocket;
}

function onPong(this: WebSocket): void {
  tracked(this).alive = true;
}

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const ws = tracked(this);
  // Any frame shows the peer is there, as a pong does.
  ws.alive = true;
  ws.session?.receive(isBinary ? null : rawToString(data));
}

/** Settles when the socket has closed (its close listeners have run). */
function closedOf(ws: WebSocket): Promise<void> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise<void>((resolve) => ws.once('close', () => resolve()));
}

/**
 * A peer that never answers the close handshake (a slow consumer's full buffer, a dead peer, a shutdown) is
 * cut off after this long, rather than holding its descriptor and buffers for the ws library's 30 s.
 */
export const CLOSE_HANDSHAKE_GRACE_MS = 2000;

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/** Close reasons are limited to 123 bytes; ours are catalogue keys or error codes, far shorter. */
function closeSafely(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState === ws.CLOSING || ws.readyState === ws.CLOSED) return;
  try {
    ws.close(code, reason.slice(0, 100));
  } catch {
    ws.terminate();
    return;
  }
  const cutOff = setTimeout(() => ws.terminate(), CLOSE_HANDSHAKE_GRACE_MS);
  cutOff.unref();
  ws.once('close', () => clearTimeout(cutOff));
}

/**
 * Coalescing of what one socket is written in one turn of the event loop (a reply, the pushes it caused, the
 * fan-out of other requests): the first frame goes out at once, since a fan-out writes one frame to each of many
 * sockets and holding it back would only add work per recipient; a second frame in the same turn corks the
 * socket, and one shared tick at the end of the turn uncorks every socket corked in it, so that the rest leave
 * in one writev.
 */
let turn = 0;
let turnEnding = false;
const corkedThisTurn: Duplex[] = [];

function endTurn(): void {
  turnEnding = false;
  turn += 1;
  for (const raw of corkedThisTurn) raw.uncork();
  corkedThisTurn.length = 0;
}

/**
 * The socket a dialect's connection writes to; per socket also the turn it was last written in, and whether it
 * is corked until that turn ends.
 */
class HostedSocket implements WsSocket {
  private turn = -1;
  private corked = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly raw: Duplex,
  ) {}

  send(frame: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.next();
    this.ws.send(frame);
  }

  // Straight to the TCP socket: without per-message deflate, ws writes its own frames there synchronously
  // too, so the order holds, and ws counts these bytes in bufferedAmount.
  sendFrame(frame: Buffer): void {
    if (this.ws.readyState !== this.ws.OPEN || !this.raw.writable) return;
    this.next();
    this.raw.write(frame);
  }

  bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  close(code: number, reason: string): void {
    closeSafely(this.ws, code, reason);
  }

  /** Called before each write to the socket. */
  private next(): void {
    if (this.turn !== turn) {
      this.turn = turn;
      this.corked = false;
      if (!turnEnding) {
        turnEnding = true;
        process.nextTick(endTurn);
      }
      return;
    }
    if (this.corked) return;
    this.corked = true;
    this.raw.cork();
    corkedThisTurn.push(this.raw);
  }
}

export function createWsHost(options: WsHostOptions): WsGateway {
  const { deps, name, accept, onDrained } = options;
  const { config, logger } = deps;
  const wss = new WebSocketServer({
    noServer: true,
    // sendFrame writes ready frames straight to the socket, which is only right without compression.
    perMessageDeflate: false,
    maxPayload: config.maxFrameBytes,
    clientTracking: false,
    WebSocket: TrackedSocket,
  });
  const connections = new Set<TrackedSocket>();
  let accepting = true;

  // [proto.heartbeat] Ping every heartbeatMs; a socket that has not answered by the next tick is dropped.
  const heartbeat = setInterval(() => {
    for (const ws of connections) {
      if (!ws.alive) {
        ws.terminate();
        continue;
      }
      ws.alive = false;
      try {
        ws.ping();
      } catch {
        ws.terminate();
      }
    }
  }, config.heartbeatMs);
  heartbeat.unref();

  function onError(this: WebSocket, err: Error): void {
    // An oversized frame (closed by ws with 1009), invalid UTF-8 (1007) or a broken peer: close follows.
    const fields = { err: { name: err.name, message: err.message } };
    const id = tracked(this).session?.id;
    logger.debug(id === undefined ? fields : { ...fields, connection: id }, `${name} ws error`);
  }

  function onClose(this: WebSocket): void {
    const ws = tracked(this);
    connections.delete(ws);
    ws.session?.closedBySocket();
  }

  const onConnection = (ws: TrackedSocket, req: IncomingMessage, raw: Duplex) => {
    const session = accept(new HostedSocket(ws, raw), req);
    ws.session = session;
    connections.add(ws);
    ws.on('pong', onPong);
    ws.on('error', onError);
    ws.on('close', onClose);
    ws.on('message', onMessage);
    session.start();
  };

  return {
    matches: (pathname) => options.matches(pathname),
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
      if (!accepting) {
        socket.destroy();
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(tracked(ws), req, socket));
    },
    async close() {
      accepting = false;
      clearInterval(heartbeat);
      const shutdown = disconnect('shutdown');
      const all = [...connections];
      // Listened for before anything is closed, so that no close is missed.
      const closed = all.map(closedOf);
      for (const ws of all) {
        if (ws.session?.shutdown) ws.session.shutdown(shutdown);
        else closeSafely(ws, shutdown.code, shutdown.reason);
      }
      const grace = setTimeout(() => {
        for (const ws of all) ws.terminate();
      }, CLOSE_HANDSHAKE_GRACE_MS);
      grace.unref();
      await Promise.all(closed);
      clearTimeout(grace);
      onDrained?.();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
