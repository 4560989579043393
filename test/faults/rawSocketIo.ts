/**
 * A socket.io client made of a raw engine.io WebSocket: it writes socket.io packets as text, so a test can
 * send what socket.io-client never would, and it can stop reading (its TCP socket paused) like a slow client.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { waitFor } from '../helpers/wait.js';

export class RawSocketIo {
  /** Every text packet received, engine.io pings excluded. */
  readonly packets: string[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;

  constructor(
    readonly ws: WebSocket,
    /** The namespace prefix of socket.io packets: '' for '/', '/socketapi,' for '/socketapi'. */
    readonly nsp = '',
  ) {
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => {});
    ws.on('message', (raw) => {
      const packet = String(raw);
      if (packet === '2') ws.send('3');
      else this.packets.push(packet);
    });
  }

  /** Opens the engine.io WebSocket transport straight away (no polling first). */
  static async open(
    url: string,
    opts: { nsp?: string; query?: string; origin?: string } = {},
  ): Promise<RawSocketIo> {
    const query = opts.query ? `&${opts.query}` : '';
    const headers = opts.origin ? { origin: opts.origin } : undefined;
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket${query}`, {
      headers,
    });
    const client = new RawSocketIo(ws, opts.nsp ? `${opts.nsp},` : '');
    await client.opened;
    return client;
  }

  /** socket.io CONNECT to the namespace, with handshake auth; resolves once the server has answered it. */
  async connect(auth?: unknown): Promise<string> {
    this.ws.send(`40${this.nsp}${auth === undefined ? '' : JSON.stringify(auth)}`);
    return waitFor(
      () => this.packets.find((p) => p.startsWith(`40${this.nsp}{`) || p.startsWith(`44${this.nsp}`)),
      {
        label: 'socket.io CONNECT answer',
      },
    );
  }

  /** An EVENT packet, with an ack id when given. */
  emit(event: string, data: unknown, ack?: number): void {
    this.ws.send(`42${this.nsp}${ack ?? ''}${JSON.stringify([event, data])}`);
  }

  /** The data of every EVENT packet named `event` received so far. */
  events(event: string): unknown[] {
    const prefix = `42${this.nsp}[`;
    return this.packets
      .filter((p) => p.startsWith(prefix))
      .map((p) => JSON.parse(p.slice(prefix.length - 1)) as [string, unknown])
      .filter(([name]) => name === event)
      .map(([, data]) => data);
  }

  /** The TCP socket under the WebSocket: pause() it to stop reading. */
  get tcp(): Socket {
    return (this.ws as unknown as { _socket: Socket })._socket;
  }

  close(): void {
    this.ws.terminate();
  }
}
