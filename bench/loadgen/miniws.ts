/**
 * A minimal WebSocket client (RFC 6455) for the load generator, built to cost as little per received frame as
 * possible, so that the server saturates before the generator does:
 *
 * - sockets read with `onread` into one buffer shared by every connection (callbacks run one at a time, and a
 *   frame is handled before the next read), so there is no per-read allocation and no Readable stream;
 * - frames are parsed in place and handed over as views of that buffer, valid only during the callback;
 * - only the tail of a frame split across reads is copied.
 *
 * Enough of the protocol for benchmarking: text/binary frames, continuation, ping → pong, close. Client frames
 * are masked with a per-connection random key as the RFC requires. No extensions, no TLS.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const SHARED_READ_BUFFER = Buffer.allocUnsafe(1024 * 1024);
const HEADER_END = Buffer.from('\r\n\r\n');
const STATUS_101 = Buffer.from('HTTP/1.1 101');

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;

export interface MiniWsHandlers {
  /** A complete message; `data` is a view valid only during the call. */
  onMessage(data: Buffer): void;
  /** `reason`: the close frame's reason text ('' when none came). */
  onClose(code: number, reason: string): void;
}

export class MiniWebSocket {
  private readonly socket: Socket;
  private state: 'connecting' | 'handshake' | 'open' | 'closing' | 'closed' = 'connecting';
  /** An incomplete frame (or handshake) carried over to the next read: always a copy. */
  private carry: Buffer | null = null;
  private fragments: Buffer[] | null = null;
  private closeCode = 1006;
  private closeReason = '';
  private readonly mask = randomBytes(4);
  readonly opened: Promise<void>;

  /** The socket's own port (S6 finds the server's end of the connection by it); null once closed. */
  get localPort(): number | null {
    return this.socket.localPort ?? null;
  }

  constructor(
    url: string,
    private readonly handlers: MiniWsHandlers,
    opts: { connectTimeoutMs?: number; localAddress?: string } = {},
  ) {
    const target = new URL(url);
    const host = target.hostname;
    const port = Number(target.port || 80);
    const path = `${target.pathname}${target.search}`;
    let settle: { resolve(): void; reject(err: Error): void } = { resolve: () => {}, reject: () => {} };
    this.opened = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    this.opened.catch(() => {});
    const timer = setTimeout(() => {
      settle.reject(new Error('handshake timeout'));
      this.socket.destroy();
    }, opts.connectTimeoutMs ?? 60_000);

    this.socket = connect({
      host,
      port,
      // S1L spreads its clients over 127.0.0.N: each source address has its own ephemeral ports.
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      onread: {
        buffer: SHARED_READ_BUFFER,
        callback: (bytes: number, buffer: Uint8Array) => {
          this.onRead(buffer as Buffer, bytes, settle);
          return true;
        },
      },
    });
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => {
      this.state = 'handshake';
      const key = randomBytes(16).toString('base64');
      this.socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    this.socket.on('error', (err) => {
      if (this.state === 'connecting' || this.state === 'handshake') settle.reject(err);
    });
    this.socket.on('close', () => {
      clearTimeout(timer);
      const wasOpen = this.state !== 'connecting' && this.state !== 'handshake';
      if (!wasOpen) settle.reject(new Error('connection closed during the handshake'));
      this.finish(this.closeCode);
    });
    void this.opened.then(
      () => clearTimeout(timer),
      () => clearTimeout(timer),
    );
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** WebSocket readyState: 0 connecting, 1 open, 2 closing, 3 closed. */
  get readyState(): number {
    if (this.state === 'open') return 1;
    if (this.state === 'closing') return 2;
    if (this.state === 'closed') return 3;
    return 0;
  }

  private onRead(shared: Buffer, bytes: number, settle: { resolve(): void; reject(err: Error): void }): void {
    let data = shared.subarray(0, bytes);
    if (this.carry) {
      data = Buffer.concat([this.carry, data]);
      this.carry = null;
    }
    if (this.state === 'handshake') {
      const end = data.indexOf(HEADER_END);
      if (end < 0) {
        this.carry = Buffer.from(data);
        return;
      }
      if (data.compare(STATUS_101, 0, STATUS_101.length, 0, STATUS_101.length) !== 0) {
        const status = data.subarray(0, Math.min(end, 200)).toString('latin1').split('\r\n')[0];
        settle.reject(new Error(`upgrade refused: ${status ?? ''}`));
        this.state = 'closed';
        this.socket.destroy();
        return;
      }
      this.state = 'open';
      settle.resolve();
      data = data.subarray(end + HEADER_END.length);
    }
    let offset = 0;
    const length = data.length;
    while (length - offset >= 2) {
      const b0 = data[offset] as number;
      const b1 = data[offset + 1] as number;
      let size = b1 & 0x7f;
      let header = 2;
      if (size === 126) {
        if (length - offset < 4) break;
        size = data.readUInt16BE(offset + 2);
        header = 4;
      } else if (size === 127) {
        if (length - offset < 10) break;
        size = Number(data.readBigUInt64BE(offset + 2));
        header = 10;
      }
      if (length - offset < header + size) break;
      const payload = data.subarray(offset + header, offset + header + size);
      offset += header + size;
      this.onFrame((b0 & 0x80) !== 0, b0 & 0x0f, payload);
      if (this.state === 'closed') return;
    }
    if (offset < length) this.carry = Buffer.from(data.subarray(offset));
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === OP_TEXT || opcode === OP_BINARY) {
      if (fin) this.handlers.onMessage(payload);
      else this.fragments = [Buffer.from(payload)];
      return;
    }
    if (opcode === OP_CONTINUATION) {
      if (!this.fragments) return;
      this.fragments.push(Buffer.from(payload));
      if (fin) {
        const whole = Buffer.concat(this.fragments);
        this.fragments = null;
        this.handlers.onMessage(whole);
      }
      return;
    }
    if (opcode === OP_CLOSE) {
      this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      this.closeReason = payload.length > 2 ? payload.subarray(2).toString('utf8') : '';
      if (this.state === 'open') this.writeFrame(OP_CLOSE, payload.subarray(0, 2));
      this.state = 'closing';
      this.socket.end();
      return;
    }
    if (opcode === OP_PING) this.writeFrame(0xa, Buffer.from(payload));
  }

  private writeFrame(opcode: number, payload: Buffer): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    const size = payload.length;
    const header = size < 126 ? 2 : size < 65_536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(header + 4 + size);
    frame[0] = 0x80 | opcode;
    if (header === 2) frame[1] = 0x80 | size;
    else if (header === 4) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(size, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(size), 2);
    }
    const mask = this.mask;
    mask.copy(frame, header);
    const start = header + 4;
    for (let i = 0; i < size; i++) frame[start + i] = (payload[i] as number) ^ (mask[i & 3] as number);
    this.socket.write(frame);
  }

  send(text: string): void {
    if (this.state === 'open') this.writeFrame(OP_TEXT, Buffer.from(text));
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Polite close: a close frame, then the socket is ended once the server answers (or after 3 s). */
  close(code = 1000): void {
    if (this.state !== 'open') {
      if (this.state !== 'closed') this.socket.destroy();
      return;
    }
    const payload = Buffer.allocUnsafe(2);
    payload.writeUInt16BE(code, 0);
    this.writeFrame(OP_CLOSE, payload);
    this.state = 'closing';
    this.closeCode = code;
    setTimeout(() => this.socket.destroy(), 3000).unref();
  }

  /** Cut the connection (no close frame), as a network failure would. */
  terminate(): void {
    this.socket.destroy();
  }

  private finish(code: number): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.handlers.onClose(code, this.closeReason);
  }
}

/**
 * A WebSocket for Parley's typed client (its `WebSocket` option) on top of MiniWebSocket, which drops the
 * presence pushes (`user_online`, `user_offline`, `presence_*`, `typing`) before the client parses them: a
 * big population receives millions of them, and the resume logic under test does not use them. The server
 * still sends every one; only the generator's cost of reading them is saved.
 */
const DROPPED_PREFIXES = ['{"event":"user_', '{"event":"presence_', '{"event":"typing"'].map((p) =>
  Buffer.from(p),
);

export class FilteringWebSocket {
  onopen: ((ev: object) => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: object) => void) | null = null;
  private readonly ws: MiniWebSocket;
  static dropped = 0;

  constructor(url: string) {
    this.ws = new MiniWebSocket(url, {
      onMessage: (data) => {
        for (const prefix of DROPPED_PREFIXES) {
          if (
            data.length >= prefix.length &&
            data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0
          ) {
            FilteringWebSocket.dropped++;
            return;
          }
        }
        this.onmessage?.({ data: data.toString('utf8') });
      },
      onClose: (code, reason) => this.onclose?.({ code, reason }),
    });
    this.ws.opened.then(
      () => this.onopen?.({}),
      () => this.onerror?.({}),
    );
  }

  get readyState(): number {
    return this.ws.readyState;
  }

  send(data: string): void {
    this.ws.send(data);
  }

  close(code?: number): void {
    this.ws.close(code ?? 1000);
  }

  terminate(): void {
    this.ws.terminate();
  }
}
