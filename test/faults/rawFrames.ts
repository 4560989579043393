/**
 * WebSocket frames written byte by byte on a plain TCP socket, for frames no WebSocket library would send:
 * oversized lengths, invalid UTF-8, fragmented or oversized control frames, unmasked or reserved bits.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { waitFor } from '../helpers/wait.js';

export interface FrameSpec {
  fin?: boolean;
  rsv?: number;
  opcode: number;
  payload?: Buffer;
  /** Declared length when it differs from the payload's (an oversized frame announces more than it sends). */
  length?: number;
  masked?: boolean;
}

export function frame(spec: FrameSpec): Buffer {
  const payload = spec.payload ?? Buffer.alloc(0);
  const length = spec.length ?? payload.length;
  const masked = spec.masked ?? true;
  const head = [((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | spec.opcode];
  const maskBit = masked ? 0x80 : 0;
  let header: Buffer;
  if (length < 126) header = Buffer.from([...head, maskBit | length]);
  else if (length < 65_536) {
    header = Buffer.alloc(4);
    header.writeUInt8(head[0] as number, 0);
    header.writeUInt8(maskBit | 126, 1);
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header.writeUInt8(head[0] as number, 0);
    header.writeUInt8(maskBit | 127, 1);
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
  return Buffer.concat([header, mask, body]);
}

/** A raw TCP connection that has completed a WebSocket handshake at `path`. */
export class RawFrameSocket {
  private received = Buffer.alloc(0);
  ended = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => (this.received = Buffer.concat([this.received, chunk])));
    socket.on('close', () => (this.ended = true));
    socket.on('error', () => {});
  }

  static async open(port: number, path: string): Promise<RawFrameSocket> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    const raw = new RawFrameSocket(socket);
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await waitFor(() => raw.received.includes('\r\n\r\n'), { label: `handshake at ${path}` });
    const end = raw.received.indexOf('\r\n\r\n') + 4;
    const head = raw.received.subarray(0, end).toString('latin1');
    if (!head.startsWith('HTTP/1.1 101')) throw new Error(`no upgrade at ${path}: ${head.split('\r\n')[0]}`);
    raw.received = raw.received.subarray(end);
    return raw;
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The code of the server's close frame (skipping any frames before it), once it has arrived. */
  async closeCode(timeoutMs = 5000): Promise<number> {
    return waitFor(() => this.findClose(), { timeoutMs, label: 'a close frame' });
  }

  private findClose(): number | null {
    let at = 0;
    while (at + 2 <= this.received.length) {
      const opcode = (this.received[at] as number) & 0x0f;
      let length = (this.received[at + 1] as number) & 0x7f;
      let start = at + 2;
      if (length === 126) {
        if (start + 2 > this.received.length) return null;
        length = this.received.readUInt16BE(start);
        start += 2;
      } else if (length === 127) {
        if (start + 8 > this.received.length) return null;
        length = Number(this.received.readBigUInt64BE(start));
        start += 8;
      }
      if (start + length > this.received.length) return null;
      if (opcode === 0x8) return length >= 2 ? this.received.readUInt16BE(start) : 1005;
      at = start + length;
    }
    return null;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
