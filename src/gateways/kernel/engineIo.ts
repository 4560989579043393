import { engineIoFrame } from '../wsFrame.js';

/** What the socket.io gateways read of engine.io's internals, in one place and defensively. */

function readProp(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
}

function sizeOf(data: unknown): number {
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

/** The parts of an engine.io connection read here; any of them may be missing or of another type. */
interface EngineIoInternals {
  writeBuffer?: unknown;
  transport?: { socket?: { bufferedAmount?: unknown } | null } | null;
}

/**
 * Bytes waiting on an engine.io connection: its packet write buffer (estimated from the packets' data) plus
 * what the WebSocket transport underneath has not sent yet. Both are internals, read defensively. Called for
 * every recipient of every fan-out, so the common case (an empty write buffer) reads plain properties only.
 */
export function engineIoBufferedBytes(conn: unknown): number {
  if (typeof conn !== 'object' || conn === null) return 0;
  const internals = conn as EngineIoInternals;
  let total = 0;
  const writeBuffer = internals.writeBuffer;
  if (Array.isArray(writeBuffer) && writeBuffer.length > 0) {
    for (const packet of writeBuffer as unknown[]) total += sizeOf(readProp(packet, 'data'));
  }
  const transport = internals.transport;
  const socket = typeof transport === 'object' && transport !== null ? transport.socket : undefined;
  const amount = typeof socket === 'object' && socket !== null ? socket.bufferedAmount : undefined;
  if (typeof amount === 'number' && Number.isFinite(amount)) total += amount;
  return total;
}

/**
 * Writes a socket.io packet that a fan-out writes to many connections in a row with its WebSocket frame built
 * once (engine.io's `wsPreEncodedFrame`, as socket.io's own broadcasts do): the recipients after the first get
 * the same bytes instead of engine.io and ws encoding and framing the string again for each. The last packet's
 * frame is kept; a packet equal to it gets the same frame, whoever built the string.
 */
export function writeSharedPacket(
  conn: { write(packet: string, options: SharedPacketOptions): unknown },
  packet: string,
): void {
  if (packet !== lastPacket) {
    lastPacket = packet;
    lastOptions = { compress: false, wsPreEncodedFrame: engineIoFrame(packet) };
  }
  conn.write(packet, lastOptions);
}

export interface SharedPacketOptions {
  compress: boolean;
  wsPreEncodedFrame: Buffer[];
}

let lastPacket: string | null = null;
let lastOptions: SharedPacketOptions = { compress: false, wsPreEncodedFrame: [] };

/**
 * A closed engine.io connection whose WebSocket peer never answers the close handshake would keep its
 * descriptor and unsent buffers for the ws library's 30 s; after `graceMs` the TCP socket is cut instead.
 */
export function cutOffClosedTransports(engine: unknown, graceMs: number): void {
  const on = readProp(engine, 'on');
  if (typeof on !== 'function') return;
  Reflect.apply(on, engine, [
    'connection',
    (conn: unknown) => {
      const once = readProp(conn, 'once');
      if (typeof once !== 'function') return;
      Reflect.apply(once, conn, [
        'close',
        () => {
          const ws = readProp(readProp(conn, 'transport'), 'socket');
          const terminate = readProp(ws, 'terminate');
          if (typeof terminate !== 'function' || readProp(ws, 'readyState') === 3) return;
          const timer = setTimeout(() => Reflect.apply(terminate, ws, []), graceMs);
          timer.unref();
        },
      ]);
    },
  ]);
}
