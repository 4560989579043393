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

/**
 * Bytes waiting on an engine.io connection: its packet write buffer (estimated from the packets' data) plus
 * what the WebSocket transport underneath has not sent yet. Both are internals, read defensively.
 */
export function engineIoBufferedBytes(conn: unknown): number {
  let total = 0;
  const writeBuffer = readProp(conn, 'writeBuffer');
  if (Array.isArray(writeBuffer)) {
    for (const packet of writeBuffer as unknown[]) total += sizeOf(readProp(packet, 'data'));
  }
  const amount = readProp(readProp(readProp(conn, 'transport'), 'socket'), 'bufferedAmount');
  if (typeof amount === 'number' && Number.isFinite(amount)) total += amount;
  return total;
}

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
