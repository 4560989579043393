/**
 * The socket.io dialects' load generator clients (eventchat, moneypot, socketapi): socket.io v4 by hand on the
 * dialect's namespace, as clients.ts does for `/`. Engine.io packets: `0` open, `2` ping → `3` pong, `4`
 * message; socket.io packets with the namespace: `40/ns,` connect, `41/ns,` disconnect, `42/ns,` event,
 * `43/ns,` ack, `44/ns,` connect error. The dialect's message push is recognised by its first bytes and the
 * payload read from the frame; other events are parsed only while a request waits for one.
 */
import { createHash } from 'node:crypto';
import type { ReplyCallback } from './clients.js';
import { DialectClient, issueToken, prop, type DialectClientOptions } from './dialectBase.js';
import { MiniWebSocket } from './miniws.js';
import { extractPayload } from './payload.js';

/** A parsed event: its name and arguments. */
interface SioEvent {
  event: string;
  args: unknown[];
}

const isEvent = (frame: unknown, name: string): frame is SioEvent => prop(frame, 'event') === name;

abstract class NamespaceSioClient extends DialectClient {
  private ws: MiniWebSocket | null = null;
  private readonly connectPrefix: string;
  private readonly eventPrefix: Buffer;
  private readonly ackPrefix: Buffer;
  private readonly hotPrefix: Buffer;
  private readonly acks = new Map<number, (args: unknown[]) => void>();
  private nextAck = 1;

  constructor(
    index: number,
    baseUrl: string,
    protected readonly opts: DialectClientOptions,
    private readonly namespace: string,
    /** The dialect's message push, whose data carries the message text. */
    hotEvent: string,
  ) {
    super(index, baseUrl);
    this.connectPrefix = `40${namespace},`;
    this.eventPrefix = Buffer.from(`42${namespace},`);
    this.ackPrefix = Buffer.from(`43${namespace},`);
    this.hotPrefix = Buffer.from(`42${namespace},["${hotEvent}",`);
  }

  /** The user's access token, got before connecting: the server's auth deadline starts at the connect. */
  protected token = '';

  open(): Promise<void> {
    return issueToken(this.baseUrl, this.opts.adminKey, this.opts.name).then((token) => {
      this.token = token;
      return this.connectNamespace();
    });
  }

  private connectNamespace(): Promise<void> {
    let settle: { resolve(): void; reject(err: Error): void } | null = null;
    const connected = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    const url = `${this.baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    const ws = new MiniWebSocket(url, {
      onMessage: (buf) => {
        const kind = buf[0];
        if (kind === 0x32) ws.send('3');
        else if (kind === 0x30) ws.send(this.connectPrefix);
        else if (kind === 0x31) ws.close();
        else if (kind !== 0x34) return;
        else if (startsWith(buf, this.hotPrefix)) this.onHot(buf);
        else if (startsWith(buf, this.eventPrefix)) this.onEvent(buf);
        else if (startsWith(buf, this.ackPrefix)) this.onAck(buf);
        else {
          const text = buf.toString('utf8');
          if (text.startsWith(this.connectPrefix)) {
            this.connected = true;
            settle?.resolve();
            settle = null;
          } else if (text.startsWith(`44${this.namespace},`)) {
            settle?.reject(new Error(`connect_error ${text.slice(0, 200)}`));
            settle = null;
            ws.terminate();
          } else if (text.startsWith(`41${this.namespace},`)) ws.close();
        }
      },
      onClose: (code) => {
        settle?.reject(new Error(`closed ${code}`));
        settle = null;
        if (this.ws === ws) this.closed(code);
      },
    });
    this.ws = ws;
    return ws.opened.then(() => connected);
  }

  private onHot(buf: Buffer): void {
    const payload = extractPayload(buf, this.hotPrefix.length);
    if (payload && this.onDelivery) this.onDelivery(this, payload, buf, this.hotPrefix.length);
    else this.otherEvents++;
  }

  private onEvent(buf: Buffer): void {
    if (!this.isWaiting) {
      this.otherEvents++;
      return;
    }
    const parsed = parseJson(buf, this.eventPrefix.length);
    if (!Array.isArray(parsed) || typeof parsed[0] !== 'string') return;
    const [event, ...args] = parsed as [string, ...unknown[]];
    this.offer({ event, args } satisfies SioEvent);
  }

  private onAck(buf: Buffer): void {
    let i = this.ackPrefix.length;
    let id = 0;
    while (i < buf.length && buf[i] !== 0x5b) id = id * 10 + ((buf[i++] as number) - 0x30);
    const done = this.acks.get(id);
    if (!done) return;
    this.acks.delete(id);
    const parsed = parseJson(buf, i);
    done(Array.isArray(parsed) ? parsed : []);
  }

  protected emit(event: string, data: unknown, ack?: (args: unknown[]) => void): void {
    let id = '';
    if (ack) {
      const n = this.nextAck++;
      this.acks.set(n, ack);
      id = String(n);
    }
    this.ws?.send(`42${this.namespace},${id}${JSON.stringify([event, data])}`);
  }

  protected override failPending(): void {
    super.failPending();
    this.acks.clear();
  }

  pause(): void {
    this.ws?.pause();
  }

  resume(): void {
    this.ws?.resume();
  }

  close(): void {
    const ws = this.ws;
    if (!ws) return;
    ws.send(`41${this.namespace},`);
    ws.close(1000);
  }

  destroy(): void {
    this.ws?.terminate();
  }
}

function startsWith(buf: Buffer, prefix: Buffer): boolean {
  return buf.length >= prefix.length && buf.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

function parseJson(buf: Buffer, from: number): unknown {
  try {
    return JSON.parse(buf.subarray(from).toString('utf8'));
  } catch {
    return undefined;
  }
}

const errorText = (value: unknown) => String(prop(value, 'message') ?? JSON.stringify(value)).slice(0, 60);

/** eventchat: the server's `connection`, then `Auth {user, password: token, room}` joins the room. */
export class EventchatClient extends NamespaceSioClient {
  constructor(index: number, baseUrl: string, opts: DialectClientOptions) {
    super(index, baseUrl, opts, '/eventchat', 'message');
  }

  /** Open once the server said `connection` (its app check is done). */
  override open(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) =>
      this.wait(
        (frame) => (isEvent(frame, 'connection') ? 'ok' : isEvent(frame, 'cerror') ? 'cerror' : null),
        (error) => (error === null ? resolve() : reject(new Error(error))),
      ),
    );
    return super.open().then(() => ready);
  }

  protected authenticate(cb: ReplyCallback): void {
    cb(null, undefined);
  }

  protected join(room: string, cb: ReplyCallback): void {
    this.wait((frame) => {
      if (isEvent(frame, 'cerror')) return `cerror ${errorText(frame.args[0])}`;
      return isEvent(frame, 'Auth') ? (prop(frame.args[0], 'Code') === 200 ? 'ok' : 'auth_refused') : null;
    }, cb);
    this.emit('Auth', { user: this.opts.name, password: this.token, room });
  }
}

/** moneypot: `auth {app_id, hashed_token}` (sha256 of an access token) puts the user in the app's lobby. */
export class MoneypotClient extends NamespaceSioClient {
  constructor(index: number, baseUrl: string, opts: DialectClientOptions) {
    super(index, baseUrl, opts, '/moneypot', 'new_message');
  }

  protected authenticate(cb: ReplyCallback): void {
    const hashed = createHash('sha256').update(this.token).digest('hex');
    this.emit('auth', { app_id: 1, hashed_token: hashed }, ([err, data]) => {
      if (err !== null && err !== undefined) cb(`auth ${errorText(err)}`, undefined);
      // An unknown token would give an anonymous socket: that is no member of the room.
      else if (prop(prop(data, 'user'), 'uname') !== this.opts.name) cb('anonymous', undefined);
      else cb(null, data);
    });
  }

  /** The lobby is the dialect's one room, joined by `auth`. */
  protected join(room: string, cb: ReplyCallback): void {
    cb(room === 'lobby' ? null : 'not_the_lobby', undefined);
  }
}

/** socketapi: `auth {data: token}`, then `get-channels` for the room's id and `join-channel`. */
export class SocketapiClient extends NamespaceSioClient {
  constructor(index: number, baseUrl: string, opts: DialectClientOptions) {
    super(index, baseUrl, opts, '/socketapi', 'message-created');
  }

  private request1(event: string, data: unknown, reply: string, cb: ReplyCallback): void {
    this.wait((frame) => {
      if (isEvent(frame, 'socket-api-error')) return `error ${errorText(frame.args[0])}`;
      return isEvent(frame, reply) ? 'ok' : null;
    }, cb);
    this.emit(event, data);
  }

  protected authenticate(cb: ReplyCallback): void {
    this.request1('auth', { data: this.token }, 'auth-success', cb);
  }

  protected join(room: string, cb: ReplyCallback): void {
    this.request1('get-channels', {}, 'channels-list', (error, frame) => {
      if (error !== null) return cb(error, undefined);
      const channels: unknown = prop((frame as SioEvent).args[0], 'channels');
      const channel = Array.isArray(channels) ? channels.find((c) => prop(c, 'name') === room) : undefined;
      const channelId = prop(channel, 'id');
      if (typeof channelId !== 'number') return cb('no_channel', undefined);
      this.request1('join-channel', { channelId }, 'channel-joined', cb);
    });
  }
}
