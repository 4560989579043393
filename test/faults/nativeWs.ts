/** A minimal native-protocol WebSocket client for the fault suite's crowds: requests by id, message counting. */
import type { Socket } from 'node:net';
import WebSocket from 'ws';

export class CrowdClient {
  /** `message` events received. */
  messages = 0;
  closeCode: number | null = null;
  readonly closed: Promise<number>;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: { ok: boolean }) => void>();

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.once('close', (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
    ws.on('error', () => {});
    ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { id?: number; ok?: boolean; event?: string };
      if (frame.event === 'message') this.messages++;
      else if (typeof frame.id === 'number') this.pending.get(frame.id)?.(frame as { ok: boolean });
    });
  }

  /** Connects as a guest and joins `room` (when given). */
  static async open(url: string, guest: string, room?: string): Promise<CrowdClient> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?app=1&guest=${encodeURIComponent(guest)}`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const client = new CrowdClient(ws);
    if (room !== undefined) {
      const joined = await client.request('join', { room });
      if (!joined.ok) throw new Error(`${guest} could not join ${room}: ${JSON.stringify(joined)}`);
    }
    return client;
  }

  request(op: string, data: unknown): Promise<{ ok: boolean }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, (reply) => {
        this.pending.delete(id);
        resolve(reply);
      });
      this.ws.send(JSON.stringify({ id, op, data }));
    });
  }

  /** The TCP socket: pause() it to stop reading, like a client that has stopped. */
  get tcp(): Socket {
    return (this.ws as unknown as { _socket: Socket })._socket;
  }
}
