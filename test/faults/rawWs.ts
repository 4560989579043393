/**
 * A WebSocket client on a bare `net` socket, for attacks that real clients will not make: it upgrades, sends
 * what it is told (masked text frames) and records what the server sends back: text frames, the close code,
 * and when the server closed the connection.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawWs {
  socket: Socket;
  texts: string[];
  /** The code of the server's close frame, once one came. */
  closeCode: number | null;
  /** Resolves when the server has ended the connection (a close frame or the TCP close), with its time. */
  ended: Promise<number>;
  sendText(text: string): void;
}

function maskedText(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const mask = randomBytes(4);
  const head =
    payload.length < 126
      ? Buffer.from([0x81, 0x80 | payload.length])
      : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const body = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
  return Buffer.concat([head, mask, body]);
}

/** Opens `path` with a WebSocket upgrade; resolves once the server has answered 101. */
export function rawWs(port: number, path: string): Promise<RawWs> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    let markEnded: (at: number) => void = () => {};
    const ended = new Promise<number>((done) => (markEnded = done));
    const client: RawWs = {
      socket,
      texts: [],
      closeCode: null,
      ended,
      sendText: (text) => {
        if (socket.writable) socket.write(maskedText(text));
      },
    };
    const readFrames = () => {
      for (;;) {
        if (buffer.length < 2) return;
        const opcode = (buffer[0] as number) & 0x0f;
        let length = (buffer[1] as number) & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffer.length < 4) return;
          length = buffer.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffer.length < 10) return;
          length = Number(buffer.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffer.length < offset + length) return;
        const payload = buffer.subarray(offset, offset + length);
        buffer = buffer.subarray(offset + length);
        if (opcode === 0x1) client.texts.push(payload.toString('utf8'));
        if (opcode === 0x8) {
          client.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
          markEnded(Date.now());
        }
      }
    };
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buffer.subarray(0, end).toString('latin1');
        if (!head.startsWith('HTTP/1.1 101')) {
          socket.destroy();
          reject(new Error(`upgrade of ${path} refused: ${head.split('\r\n')[0]}`));
          return;
        }
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        resolve(client);
      }
      readFrames();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      markEnded(Date.now());
      if (!upgraded) reject(new Error(`connection to ${path} closed before the upgrade`));
    });
    socket.once('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
  });
}
