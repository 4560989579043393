/**
 * Small clients for the cluster tests, written from the protocol documents (docs/protocol.md and
 * docs/dialects/*.md) rather than from the dialects' own test helpers: raw WebSocket and socket.io sockets that
 * record everything the server sends, so that a test can wait for a frame and count what it received.
 */
import { createHash } from 'node:crypto';
import { io as ioClient } from 'socket.io-client';
import type { Socket as IoSocket } from 'socket.io-client';
import { WebSocket } from 'ws';
import type { ClientEventMap, ParleyClient } from '../../src/client/index.js';
import type { ClusterClients } from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait.js';

export type Rec = Record<string, unknown>;

/** Generous: other suites run in parallel on a 2-core CI machine. Every wait is event-driven. */
export const WAIT_MS = 20_000;

/** Items in arrival order; `next` hands each matching item out once. */
export class Recording<T> {
  readonly items: T[] = [];
  private readonly taken = new Set<number>();

  push(item: T): void {
    this.items.push(item);
  }

  /** The first item not handed out yet that matches, waiting for it. */
  async next(match: (item: T) => boolean, label: string, timeoutMs = WAIT_MS): Promise<T> {
    const found = await waitFor(
      () => {
        for (let i = 0; i < this.items.length; i++) {
          if (this.taken.has(i)) continue;
          const item = this.items[i] as T;
          if (match(item)) {
            this.taken.add(i);
            return { item };
          }
        }
        return null;
      },
      { timeoutMs, label: `${label} (have ${this.items.length} items)` },
    );
    return found.item;
  }

  count(match: (item: T) => boolean): number {
    return this.items.filter(match).length;
  }
}

export function asRec(value: unknown): Rec {
  return typeof value === 'object' && value !== null ? (value as Rec) : {};
}

// ------------------------------------------------------------------------------------------ socket.io

export interface IoEvent {
  event: string;
  args: unknown[];
  /** The first argument, as an object (empty when it is not one). */
  data: Rec;
}

export interface RecordingIo {
  socket: IoSocket;
  events: Recording<IoEvent>;
  connected: Promise<void>;
  disconnected: Promise<string>;
  /** The next event of that name whose data matches. */
  next(event: string, match?: (data: Rec) => boolean, timeoutMs?: number): Promise<Rec>;
}

/** A socket.io-client socket on `namespace` (websocket transport, no reconnection) recording every event. */
export function recordingIo(
  clients: ClusterClients,
  url: string,
  namespace: string,
  query: Record<string, string> = {},
): RecordingIo {
  const socket = ioClient(`${url}${namespace}`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    query,
  });
  clients.add(() => socket.close());
  const events = new Recording<IoEvent>();
  socket.onAny((event: string, ...args: unknown[]) => events.push({ event, args, data: asRec(args[0]) }));
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err: Error) => reject(err));
  });
  const disconnected = new Promise<string>((resolve) =>
    socket.once('disconnect', (reason: string) => resolve(reason)),
  );
  return {
    socket,
    events,
    connected,
    disconnected,
    async next(event, match = () => true, timeoutMs = WAIT_MS) {
      const found = await events.next(
        (e) => e.event === event && match(e.data),
        `socket.io event '${event}' on ${namespace}`,
        timeoutMs,
      );
      return found.data;
    },
  };
}

/** Emit with an acknowledgement callback; resolves with the callback's arguments. */
export function emitWithAck(socket: IoSocket, event: string, ...args: unknown[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no acknowledgement for ${event}`)), WAIT_MS);
    socket.emit(event, ...args, (...reply: unknown[]) => {
      clearTimeout(timer);
      resolve(reply);
    });
  });
}

// ------------------------------------------------------------------------------------------ plain WebSocket

export interface RecordingWs {
  ws: WebSocket;
  frames: Recording<Rec>;
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  send(frame: unknown): void;
  next(match: (frame: Rec) => boolean, label: string, timeoutMs?: number): Promise<Rec>;
}

/** A `ws` socket to `url` (http(s) is turned into ws(s)) recording every JSON frame. */
export function recordingWs(clients: ClusterClients, url: string): RecordingWs {
  const ws = new WebSocket(url.replace(/^http/, 'ws'));
  clients.add(() => ws.terminate());
  const frames = new Recording<Rec>();
  ws.on('error', () => {});
  ws.on('message', (data) => {
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
    try {
      frames.push(asRec(JSON.parse(text)));
    } catch {
      frames.push({ raw: text });
    }
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
  );
  return {
    ws,
    frames,
    opened,
    closed,
    send: (frame) => ws.send(JSON.stringify(frame)),
    next: (match, label, timeoutMs = WAIT_MS) => frames.next(match, label, timeoutMs),
  };
}

/**
 * A native-protocol client over plain WebSocket that sees exactly what the server sends (the typed client
 * de-duplicates messages by seq, which would hide a duplicate the server sent).
 */
export class RawNative {
  private nextId = 1;
  constructor(readonly conn: RecordingWs) {}

  static async open(clients: ClusterClients, url: string): Promise<RawNative> {
    const conn = recordingWs(clients, `${url}/ws?app=1`);
    await conn.opened;
    return new RawNative(conn);
  }

  /** Sends `{id, op, data}`; resolves with the reply frame (`{id, ok, data | error}`). */
  async request(op: string, data?: unknown, timeoutMs = WAIT_MS): Promise<Rec> {
    const id = this.nextId++;
    this.conn.send(data === undefined ? { id, op } : { id, op, data });
    return this.conn.next((f) => f.id === id, `the reply to ${op} #${id}`, timeoutMs);
  }

  /** Like request, but throws unless the reply is ok; resolves with its data. */
  async call(op: string, data?: unknown): Promise<Rec> {
    const reply = await this.request(op, data);
    if (reply.ok !== true) throw new Error(`${op} failed: ${JSON.stringify(reply.error)}`);
    return asRec(reply.data);
  }

  /** The `message` events of `room` received so far, in arrival order. */
  messages(room: string): Rec[] {
    return this.conn.frames.items
      .filter((f) => f.event === 'message' && asRec(asRec(f.data).room).name === room)
      .map((f) => asRec(asRec(f.data).message));
  }
}

/** The `message` events of a raw socket.io native client for `room`, in arrival order. */
export function ioMessages(conn: RecordingIo, room: string): Rec[] {
  return conn.events.items
    .filter((e) => e.event === 'message' && asRec(e.data.room).name === room)
    .map((e) => asRec(e.data.message));
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Sums `parley_connections` (open authenticated sessions) in a node's /metrics. */
export async function sessionsOn(node: { url: string }): Promise<number> {
  const res = await fetch(`${node.url}/metrics`);
  const text = await res.text();
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^parley_connections(?:\{[^}]*\})? (\d+(?:\.\d+)?)$/.exec(line);
    if (match) total += Number(match[1]);
  }
  return total;
}

/** Every `event` of a typed client, from now on. */
export function record<E extends keyof ClientEventMap>(
  client: ParleyClient,
  event: E,
): Recording<ClientEventMap[E]> {
  const recording = new Recording<ClientEventMap[E]>();
  client.on(event, (data) => recording.push(data));
  return recording;
}

// ------------------------------------------------------------------------------------------ a stream of sends

export type SendOutcome =
  { ok: true; seq: number; id: number; duplicate: boolean } | { ok: false; code: string };

export interface AckedSend {
  clientMsgId: string;
  text: string;
  seq: number;
  id: number;
  duplicate: boolean;
  /** Which attempt of this clientMsgId was acknowledged (1: the first). */
  attempt: number;
}

/** A native `send` over a raw connection, as an outcome (the error code when it failed). */
export async function rawSend(
  conn: RawNative,
  room: string,
  text: string,
  clientMsgId: string,
): Promise<SendOutcome> {
  const reply = await conn.request('send', { room, text, clientMsgId });
  if (reply.ok !== true) return { ok: false, code: String(asRec(reply.error).code) };
  const message = asRec(asRec(reply.data).message);
  return {
    ok: true,
    seq: Number(message.seq),
    id: Number(message.id),
    duplicate: asRec(reply.data).duplicate === true,
  };
}

/**
 * A continuous stream of sends, one after the other, each with its own clientMsgId. With `retry`, a failed
 * send is sent again with the same clientMsgId until it is acknowledged (the server stores it once).
 */
export class SendStream {
  readonly acked: AckedSend[] = [];
  readonly failures: { clientMsgId: string; text: string; code: string }[] = [];
  private running = false;
  private loop: Promise<void> | null = null;
  private n = 0;

  constructor(
    private readonly prefix: string,
    private readonly send: (text: string, clientMsgId: string) => Promise<SendOutcome>,
    private readonly opts: { retry: boolean },
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  async waitForAcked(count: number, label: string, timeoutMs = 60_000): Promise<void> {
    await waitFor(() => this.acked.length >= count, {
      timeoutMs,
      label: `${label} (${this.acked.length} acknowledged, ${this.failures.length} failed)`,
    });
  }

  async waitForFailures(count: number, label: string, timeoutMs = 60_000): Promise<void> {
    await waitFor(() => this.failures.length >= count, {
      timeoutMs,
      label: `${label} (${this.acked.length} acknowledged, ${this.failures.length} failed)`,
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      const clientMsgId = `${this.prefix}-${this.n++}`;
      const text = `message ${clientMsgId}`;
      for (let attempt = 1; ; attempt++) {
        const outcome = await this.send(text, clientMsgId).catch((err: unknown): SendOutcome => ({
          ok: false,
          code: String(asRec(err).code ?? (err instanceof Error ? err.message : err)),
        }));
        if (outcome.ok) {
          this.acked.push({
            clientMsgId,
            text,
            seq: outcome.seq,
            id: outcome.id,
            duplicate: outcome.duplicate,
            attempt,
          });
          break;
        }
        this.failures.push({ clientMsgId, text, code: outcome.code });
        if (!this.opts.retry || !this.running) break;
        // A short pause between retries of a failing send, so that a failure does not spin the CPU.
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
  }
}

/** The seqs of `messages` in arrival order. */
export function seqsOf(messages: Rec[]): number[] {
  return messages.map((m) => Number(m.seq));
}

/** [from, from + 1, …, to]. */
export function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}
