/**
 * The load generator's clients for Parley's seed dialects (S2 through a dialect's receiving side): each speaks
 * its dialect as docs/dialects/ shows it, behind the same two requests a population makes of every client
 * (`auth`, then `join`), and hands each delivery's benchmark payload to `onDelivery` read straight from the
 * frame. Here the plain-WebSocket ones (numeric, chatroom); the socket.io ones are in dialectSio.ts.
 *
 * Only populating needs parsed frames: while a request waits, frames that carry no payload are parsed and
 * offered to it; otherwise they are counted unparsed (presence lines and the like).
 */
import type { DialectName } from '../types.js';
import type { BenchClient, Protocol, ReplyCallback } from './clients.js';
import { DialectClient, issueToken, prop, type DialectClientOptions } from './dialectBase.js';
import { EventchatClient, MoneypotClient, SocketapiClient } from './dialectSio.js';
import { MiniWebSocket } from './miniws.js';
import { extractPayload } from './payload.js';

export function isDialect(protocol: Protocol): protocol is DialectName {
  return protocol !== 'ws' && protocol !== 'sio' && protocol !== 'sio-official';
}

/**
 * The room a scenario's room is in a dialect: moneypot has one room (the app's lobby); numeric channel names are
 * letters, digits and `_` only (the first member's join creates it). The REST publisher posts to this name.
 */
export function dialectRoom(dialect: DialectName, room: string): string {
  if (dialect === 'moneypot') return 'lobby';
  if (dialect === 'numeric') return room.replace(/[^A-Za-z0-9_]/g, '_');
  return room;
}

/** A dialect over plain WebSocket: JSON text frames; any frame carrying a payload is a delivery. */
abstract class DialectWsClient extends DialectClient {
  protected ws: MiniWebSocket | null = null;

  constructor(
    index: number,
    baseUrl: string,
    protected readonly opts: DialectClientOptions,
  ) {
    super(index, baseUrl);
  }

  protected abstract path(): string;

  protected connect(): Promise<void> {
    const ws = new MiniWebSocket(`${this.baseUrl.replace(/^http/, 'ws')}${this.path()}`, {
      onMessage: (data) => this.onFrame(data),
      onClose: (code) => {
        if (this.ws === ws) this.closed(code);
      },
    });
    this.ws = ws;
    return ws.opened.then(() => {
      this.connected = true;
    });
  }

  open(): Promise<void> {
    return this.connect();
  }

  private onFrame(buf: Buffer): void {
    if (this.onDelivery) {
      const payload = extractPayload(buf);
      if (payload) {
        this.onDelivery(this, payload, buf, 0);
        return;
      }
    }
    if (!this.isWaiting) {
      this.otherEvents++;
      return;
    }
    try {
      this.offer(JSON.parse(buf.toString('utf8')));
    } catch {
      // not JSON: nothing a request waits for
    }
  }

  protected send(frame: unknown): void {
    this.ws?.send(JSON.stringify(frame));
  }

  pause(): void {
    this.ws?.pause();
  }

  resume(): void {
    this.ws?.resume();
  }

  close(): void {
    this.ws?.close(1000);
  }

  destroy(): void {
    this.ws?.terminate();
  }
}

/** numeric: connecting to /numeric/chat/login/NICK logs in as the guest NICK; `{type: 4}` joins `#room`. */
class NumericClient extends DialectWsClient {
  protected path(): string {
    return `/numeric/chat/login/${encodeURIComponent(this.opts.name)}`;
  }

  /** Connected means logged in: the client's own `type 2` (or a refusal, `type -1`, then a close). */
  override open(): Promise<void> {
    const loggedIn = new Promise<void>((resolve, reject) =>
      this.wait(
        (frame) => {
          const type = prop(frame, 'type');
          if (type === -1) return `refused ${String(prop(frame, 'message'))}`;
          return type === 2 && prop(frame, 'user') === this.opts.name ? 'ok' : null;
        },
        (error) => (error === null ? resolve() : reject(new Error(error))),
      ),
    );
    return this.connect().then(() => loggedIn);
  }

  protected authenticate(cb: ReplyCallback): void {
    cb(null, undefined);
  }

  protected join(room: string, cb: ReplyCallback): void {
    this.wait((frame) => {
      const type = prop(frame, 'type');
      if (type === -1) return `refused ${String(prop(frame, 'message'))}`;
      return type === 4 && prop(frame, 'channel') === room && prop(frame, 'user') === this.opts.name
        ? 'ok'
        : null;
    }, cb);
    this.send({ type: 4, channel: `#${room}` });
  }
}

/** chatroom: `{username, token}` first, then `connect_to_room` with the token, as its web client does. */
class ChatroomClient extends DialectWsClient {
  private token = '';

  protected path(): string {
    return '/chatroom';
  }

  /** The token first: the server's auth deadline starts at the connect. */
  override open(): Promise<void> {
    return issueToken(this.baseUrl, this.opts.adminKey, this.opts.name).then((token) => {
      this.token = token;
      return this.connect();
    });
  }

  protected authenticate(cb: ReplyCallback): void {
    // A valid first frame gets no reply: a refusal would come as an error frame to the join.
    this.send({ username: this.opts.name, token: this.token });
    cb(null, undefined);
  }

  protected join(room: string, cb: ReplyCallback): void {
    this.wait((frame) => {
      if (prop(frame, 'statusCode') === 'error')
        return `refused ${String(prop(prop(frame, 'data'), 'message'))}`;
      return prop(frame, 'type') === 'connect_to_room' ? 'ok' : null;
    }, cb);
    this.send({
      token: this.token,
      action: 'connect_to_room',
      args: { username: this.opts.name, roomName: room },
    });
  }
}

export function createDialectClient(
  dialect: DialectName,
  index: number,
  baseUrl: string,
  opts: DialectClientOptions,
): BenchClient {
  switch (dialect) {
    case 'numeric':
      return new NumericClient(index, baseUrl, opts);
    case 'chatroom':
      return new ChatroomClient(index, baseUrl, opts);
    case 'eventchat':
      return new EventchatClient(index, baseUrl, opts);
    case 'moneypot':
      return new MoneypotClient(index, baseUrl, opts);
    case 'socketapi':
      return new SocketapiClient(index, baseUrl, opts);
  }
}
