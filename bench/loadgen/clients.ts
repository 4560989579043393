/**
 * The load generator's clients: thousands per process, so they are kept cheap. Three kinds, one interface:
 *
 * - `ws`: the native protocol over plain WebSocket (`/ws`), also spoken by the ws baseline;
 * - `sio`: socket.io v4 written by hand over `ws` (engine.io v4 packets, socket.io packets on namespace `/`),
 *   spoken to Parley's socket.io framing and to the socket.io baseline alike;
 * - `sio-official`: the same over socket.io-client (heavier per message; for cross-checks).
 *
 * The first two run on MiniWebSocket (miniws.ts). Message pushes are recognised by their first bytes and the
 * benchmark payload is read straight from the frame (payload.ts); every other push is counted and skipped
 * unparsed. Replies are parsed and matched by id.
 */
import { io as ioClient, type Socket as SioSocket } from 'socket.io-client';
import { MiniWebSocket } from './miniws.js';
import type { DialectName } from '../types.js';
import { extractPayload, parsePayloadText, type Payload } from './payload.js';

/** The native protocol's framings, or a seed dialect (its clients are in dialects.ts). */
export type Protocol = 'ws' | 'sio' | 'sio-official' | DialectName;

export type ReplyCallback = (error: string | null, data: unknown) => void;

export class RequestError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

export interface ClientEvents {
  /**
   * A message push carrying a benchmark payload; raw clients also hand over the frame (valid during the call
   * only) and where the message starts in it.
   */
  onDelivery: ((client: BenchClient, payload: Payload, frame?: Buffer, from?: number) => void) | null;
  /** The connection is gone (code: WebSocket close code, or a disconnect_reason's code). */
  onClose: ((client: BenchClient, code: number) => void) | null;
}

const MESSAGE_WS_PREFIX = Buffer.from('{"event":"message"');
const EVENT_WS_PREFIX = Buffer.from('{"event":');
const MESSAGE_SIO_PREFIX = Buffer.from('42["message",');
const DISCONNECT_REASON_SIO_PREFIX = Buffer.from('42["disconnect_reason",');

function startsWith(buf: Buffer, prefix: Buffer): boolean {
  if (buf.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[i] !== prefix[i]) return false;
  return true;
}

function readProp(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
}

/** `{ok, data}` / `{ok:false, error:{code}}` → callback arguments. */
function settleReply(reply: unknown, cb: ReplyCallback): void {
  if (readProp(reply, 'ok') === true) cb(null, readProp(reply, 'data'));
  else {
    const code = readProp(readProp(reply, 'error'), 'code');
    cb(typeof code === 'string' ? code : 'error', undefined);
  }
}

export abstract class BenchClient implements ClientEvents {
  onDelivery: ClientEvents['onDelivery'] = null;
  onClose: ClientEvents['onClose'] = null;
  /** Pushes other than messages (presence, user_online, ...), counted, not parsed. */
  otherEvents = 0;
  connected = false;
  /** The close code of the last disconnect (on socket.io: the disconnect_reason's code when one came). */
  lastCloseCode = 0;
  /** A disconnect_reason's code, waiting for the close it announces. */
  protected reasonCode = 0;
  protected nextId = 1;
  protected readonly pending = new Map<number, ReplyCallback>();

  constructor(
    readonly index: number,
    readonly baseUrl: string,
  ) {}

  /** Opens the connection (WebSocket upgrade; on socket.io also the namespace connect). */
  abstract open(): Promise<void>;
  /** Sends a request; the callback gets the reply (or an error code). No timeout: the caller decides. */
  abstract post(op: string, data: unknown, cb: ReplyCallback): void;
  /** Stops reading from the socket (a slow consumer). */
  abstract pause(): void;
  /** The client's port of its connection, where known (the raw clients). */
  localPort(): number | null {
    return null;
  }
  abstract resume(): void;
  /** Polite close. */
  abstract close(): void;
  /** Cut the connection as a network failure would. */
  abstract destroy(): void;

  request(op: string, data: unknown, timeoutMs = 30_000): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new RequestError('timeout')), timeoutMs);
      this.post(op, data, (error, result) => {
        clearTimeout(timer);
        if (error === null) resolve(result);
        else reject(new RequestError(error));
      });
    });
  }

  protected failPending(): void {
    if (this.pending.size === 0) return;
    const callbacks = [...this.pending.values()];
    this.pending.clear();
    for (const cb of callbacks) cb('disconnected', undefined);
  }

  protected closed(code: number): void {
    this.connected = false;
    const reported = this.reasonCode || code;
    this.reasonCode = 0;
    this.lastCloseCode = reported;
    this.failPending();
    this.onClose?.(this, reported);
  }
}

function wsUrl(base: string, path: string): string {
  return base.replace(/^http/, 'ws') + path;
}

/** The native protocol over plain WebSocket. */
export class NativeWsClient extends BenchClient {
  private ws: MiniWebSocket | null = null;

  constructor(
    index: number,
    baseUrl: string,
    private readonly path = '/ws?app=1',
    private readonly localAddress?: string,
  ) {
    super(index, baseUrl);
  }

  open(): Promise<void> {
    this.reasonCode = 0;
    const handlers = {
      onMessage: (data: Buffer) => this.onFrame(data),
      onClose: (code: number) => {
        if (this.ws === ws) this.closed(code);
      },
    };
    const ws = new MiniWebSocket(wsUrl(this.baseUrl, this.path), handlers, {
      localAddress: this.localAddress,
    });
    this.ws = ws;
    return ws.opened.then(() => {
      this.connected = true;
    });
  }

  private onFrame(buf: Buffer): void {
    if (startsWith(buf, EVENT_WS_PREFIX)) {
      if (startsWith(buf, MESSAGE_WS_PREFIX)) {
        const payload = extractPayload(buf, MESSAGE_WS_PREFIX.length);
        if (payload && this.onDelivery) this.onDelivery(this, payload, buf, MESSAGE_WS_PREFIX.length);
      } else this.otherEvents++;
      return;
    }
    let frame: unknown;
    try {
      frame = JSON.parse(buf.toString('utf8'));
    } catch {
      return;
    }
    const id = readProp(frame, 'id');
    if (typeof id !== 'number') return;
    const cb = this.pending.get(id);
    if (!cb) return;
    this.pending.delete(id);
    settleReply(frame, cb);
  }

  post(op: string, data: unknown, cb: ReplyCallback): void {
    const ws = this.ws;
    if (!ws || !ws.isOpen) {
      cb('disconnected', undefined);
      return;
    }
    const id = this.nextId++;
    this.pending.set(id, cb);
    ws.send(JSON.stringify({ id, op, data }));
  }

  pause(): void {
    this.ws?.pause();
  }

  override localPort(): number | null {
    return this.ws?.localPort ?? null;
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

const CH_0 = 0x30;
const CH_1 = 0x31;
const CH_2 = 0x32;
const CH_3 = 0x33;
const CH_4 = 0x34;
const CH_BRACKET = 0x5b;

/**
 * socket.io v4 by hand: engine.io v4 over a WebSocket (`0` open, `2` ping → `3` pong, `4` message) carrying
 * socket.io packets for namespace `/` (`0` connect, `1` disconnect, `2` event, `3` ack, `4` connect error).
 */
export class RawSocketIoClient extends BenchClient {
  private ws: MiniWebSocket | null = null;
  private settleConnect: { resolve(): void; reject(err: Error): void } | null = null;

  constructor(
    index: number,
    baseUrl: string,
    private readonly auth: Record<string, unknown> | null = null,
  ) {
    super(index, baseUrl);
  }

  open(): Promise<void> {
    this.reasonCode = 0;
    const connected = new Promise<void>((resolve, reject) => (this.settleConnect = { resolve, reject }));
    const ws = new MiniWebSocket(wsUrl(this.baseUrl, '/socket.io/?EIO=4&transport=websocket'), {
      onMessage: (data) => this.onPacket(ws, data),
      onClose: (code) => {
        this.settleConnect?.reject(new RequestError(`closed ${code}`));
        this.settleConnect = null;
        if (this.ws === ws) this.closed(code);
      },
    });
    this.ws = ws;
    return ws.opened.then(() => connected);
  }

  private onPacket(ws: MiniWebSocket, buf: Buffer): void {
    const kind = buf[0];
    if (kind === CH_4) {
      const packet = buf[1];
      if (packet === CH_2) this.onEvent(buf);
      else if (packet === CH_3) this.onAck(buf);
      else if (packet === CH_0) {
        this.connected = true;
        this.settleConnect?.resolve();
        this.settleConnect = null;
      } else if (packet === CH_4) {
        this.settleConnect?.reject(
          new RequestError(`connect_error ${buf.subarray(2).toString('utf8').slice(0, 200)}`),
        );
        this.settleConnect = null;
        ws.terminate();
      } else if (packet === CH_1) {
        ws.close();
      }
    } else if (kind === CH_2) {
      ws.send('3');
    } else if (kind === CH_0) {
      ws.send(this.auth ? `40${JSON.stringify(this.auth)}` : '40');
    } else if (kind === CH_1) {
      ws.close();
    }
  }

  private onEvent(buf: Buffer): void {
    if (startsWith(buf, MESSAGE_SIO_PREFIX)) {
      const payload = extractPayload(buf, MESSAGE_SIO_PREFIX.length);
      if (payload && this.onDelivery) this.onDelivery(this, payload, buf, MESSAGE_SIO_PREFIX.length);
      return;
    }
    if (startsWith(buf, DISCONNECT_REASON_SIO_PREFIX)) {
      try {
        const parsed: unknown = JSON.parse(buf.subarray(2).toString('utf8'));
        const code = readProp(Array.isArray(parsed) ? parsed[1] : undefined, 'code');
        if (typeof code === 'number') this.reasonCode = code;
      } catch {
        // not ours to judge
      }
      return;
    }
    this.otherEvents++;
  }

  private onAck(buf: Buffer): void {
    let i = 2;
    let id = 0;
    while (i < buf.length && buf[i] !== CH_BRACKET) {
      id = id * 10 + ((buf[i] as number) - CH_0);
      i++;
    }
    const cb = this.pending.get(id);
    if (!cb) return;
    this.pending.delete(id);
    let args: unknown;
    try {
      args = JSON.parse(buf.subarray(i).toString('utf8'));
    } catch {
      cb('bad_reply', undefined);
      return;
    }
    settleReply(Array.isArray(args) ? args[0] : undefined, cb);
  }

  post(op: string, data: unknown, cb: ReplyCallback): void {
    const ws = this.ws;
    if (!ws || !ws.isOpen || !this.connected) {
      cb('disconnected', undefined);
      return;
    }
    const id = this.nextId++;
    this.pending.set(id, cb);
    ws.send(`42${id}${JSON.stringify([op, data])}`);
  }

  pause(): void {
    this.ws?.pause();
  }

  override localPort(): number | null {
    return this.ws?.localPort ?? null;
  }

  resume(): void {
    this.ws?.resume();
  }

  close(): void {
    const ws = this.ws;
    if (!ws) return;
    ws.send('41');
    ws.close(1000);
  }

  destroy(): void {
    this.ws?.terminate();
  }
}

/** socket.io-client, for cross-checks: decodes every packet, so it costs the generator more per message. */
export class OfficialSocketIoClient extends BenchClient {
  private socket: SioSocket | null = null;

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = ioClient(this.baseUrl, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
        timeout: 60_000,
      });
      this.socket = socket;
      let settled = false;
      socket.on('connect', () => {
        settled = true;
        this.connected = true;
        resolve();
      });
      socket.on('connect_error', (err) => {
        if (!settled) {
          settled = true;
          reject(err);
        }
      });
      socket.on('message', (data: unknown) => {
        const text = readProp(readProp(data, 'message'), 'text') ?? readProp(data, 'text');
        const payload = parsePayloadText(text);
        if (payload && this.onDelivery) this.onDelivery(this, payload);
      });
      socket.on('disconnect_reason', (data: unknown) => {
        const code = readProp(data, 'code');
        if (typeof code === 'number') this.reasonCode = code;
      });
      socket.onAny((event: string) => {
        if (event !== 'message' && event !== 'disconnect_reason') this.otherEvents++;
      });
      socket.on('disconnect', () => {
        if (this.socket === socket) this.closed(1006);
      });
    });
  }

  post(op: string, data: unknown, cb: ReplyCallback): void {
    const socket = this.socket;
    if (!socket || !socket.connected) {
      cb('disconnected', undefined);
      return;
    }
    const id = this.nextId++;
    this.pending.set(id, cb);
    socket.emit(op, data, (reply: unknown) => {
      if (!this.pending.delete(id)) return;
      settleReply(reply, cb);
    });
  }

  pause(): void {
    throw new Error('sio-official clients cannot pause reading; use the raw sio client');
  }

  resume(): void {}

  close(): void {
    this.socket?.disconnect();
  }

  destroy(): void {
    this.socket?.io.engine?.close();
  }
}

/** `localAddress`: the source address of the connection (native WebSocket only; S1L). */
export function createClient(
  protocol: Protocol,
  index: number,
  baseUrl: string,
  localAddress?: string,
): BenchClient {
  switch (protocol) {
    case 'ws':
      return new NativeWsClient(index, baseUrl, undefined, localAddress);
    case 'sio':
      return new RawSocketIoClient(index, baseUrl);
    case 'sio-official':
      return new OfficialSocketIoClient(index, baseUrl);
    default:
      throw new Error(`${protocol}: a dialect; its clients come from dialects.ts`);
  }
}
