/** Helpers for the native protocol tests: admin calls, clients that clean up after themselves, a TCP proxy. */
import { createServer, connect as netConnect } from 'node:net';
import type { Server, Socket as NetSocket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { io as ioClient } from 'socket.io-client';
import type { Socket as IoSocket } from 'socket.io-client';
import { ParleyClient } from '../../src/client/index.js';
import type {
  ClientCredentials,
  ClientEventMap,
  ParleyClientOptions,
  TransportKind,
} from '../../src/client/index.js';
import { unreachedLimits, UNREACHED_LIMIT, type TestServer } from '../helpers/server.js';
import { collect, waitFor } from '../helpers/wait.js';

export const TRANSPORTS: TransportKind[] = ['ws', 'socket.io'];

export async function api<T = unknown>(
  srv: Pick<TestServer, 'url' | 'adminKey'>,
  method: string,
  path: string,
  body?: unknown,
  opts: { admin?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (opts.admin !== false) headers.authorization = `Bearer ${srv.adminKey}`;
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${srv.url}${path}`, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** Change app settings through the admin API (`PATCH /api/v1/apps/:app`). */
export function patchApp(srv: TestServer, settings: Record<string, unknown>, app = 1): Promise<unknown> {
  return api(srv, 'PATCH', `/api/v1/apps/${app}`, { settings });
}

/** A flood limit, and per-operation limits, that no test reaches (tests of other things than rate limits). */
export const NO_FLOOD = { flood: UNREACHED_LIMIT, limits: unreachedLimits() };

/** Self-register an account; resolves with its access token. */
export async function register(
  srv: TestServer,
  username: string,
  password = 'secret-password',
): Promise<string> {
  const issued = await api<{ token: string }>(
    srv,
    'POST',
    '/api/v1/apps/1/register',
    { username, password },
    { admin: false },
  );
  return issued.token;
}

export function setRole(srv: TestServer, username: string, role: string): Promise<unknown> {
  return api(srv, 'PATCH', `/api/v1/apps/1/users/${encodeURIComponent(username)}`, { role });
}

/** Every client a test opens, closed in afterEach. */
export class ClientPool {
  private readonly clients = new Set<{ close(): void }>();

  client(
    srv: { url: string },
    transport: TransportKind,
    credentials?: ClientCredentials,
    extra: Partial<ParleyClientOptions> = {},
  ): ParleyClient {
    const options: ParleyClientOptions = { url: srv.url, transport, requestTimeoutMs: 5000, ...extra };
    if (credentials) options.credentials = credentials;
    const client = new ParleyClient(options);
    this.clients.add(client);
    return client;
  }

  /** A raw `ws` connection to /ws. */
  rawWs(srv: { url: string }, query = '', headers: Record<string, string> = {}): RawWs {
    const ws = new WebSocket(`${srv.url.replace(/^http/, 'ws')}/ws${query}`, { headers });
    const raw = new RawWs(ws);
    this.clients.add({ close: () => ws.terminate() });
    return raw;
  }

  /** A raw socket.io-client socket on namespace `/` (websocket only, no reconnection). */
  rawIo(
    srv: { url: string },
    auth: Record<string, unknown> = {},
    extraHeaders?: Record<string, string>,
  ): IoSocket {
    const socket = ioClient(srv.url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth,
      ...(extraHeaders ? { extraHeaders } : {}),
    });
    this.clients.add({ close: () => socket.close() });
    return socket;
  }

  closeAll(): void {
    for (const client of this.clients) client.close();
    this.clients.clear();
  }
}

/** A `ws` socket with request/reply helpers over the native framing. */
export class RawWs {
  readonly frames: unknown[] = [];
  /** How many reply frames (`{id, ok, ...}`) arrived so far. */
  replies = 0;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  private nextId = 1;

  constructor(readonly ws: WebSocket) {
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
    );
    ws.on('error', () => {});
    ws.on('message', (data) => {
      const frame: unknown = JSON.parse(data.toString('utf8'));
      if (typeof frame === 'object' && frame !== null && 'ok' in frame) this.replies++;
      this.frames.push(frame);
    });
  }

  sendText(text: string): void {
    this.ws.send(text);
  }

  /** The next frame matching `match` (taken out of `frames`), waiting for it. */
  async frame(
    match: (frame: Record<string, unknown>) => boolean,
    timeoutMs = 5000,
  ): Promise<Record<string, unknown>> {
    const found = await waitFor(
      () => {
        const index = this.frames.findIndex(
          (f) => typeof f === 'object' && f !== null && match(f as Record<string, unknown>),
        );
        return index >= 0 ? { index } : null;
      },
      { timeoutMs, label: `a matching frame (have ${this.frames.length})` },
    );
    return this.frames.splice(found.index, 1)[0] as Record<string, unknown>;
  }

  /** Send `{id, op, data}` and wait for the reply with that id. */
  async request(op: string, data?: unknown): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify(data === undefined ? { id, op } : { id, op, data }));
    return this.frame((f) => f.id === id);
  }
}

/** Emit with an ack and resolve with what the ack receives. */
export function emitAck(socket: IoSocket, op: string, ...args: unknown[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${op}`)), 5000);
    socket.emit(op, ...args, (reply: Record<string, unknown>) => {
      clearTimeout(timer);
      resolve(reply);
    });
  });
}

/** Collect a client's events of one kind. */
export function events<E extends keyof ClientEventMap>(client: ParleyClient, event: E) {
  return collect<ClientEventMap[E]>(
    {
      on: (name: string, listener: (...args: never[]) => void) =>
        client.on(name as E, listener as (d: ClientEventMap[E]) => void),
    },
    event,
  );
}

/**
 * A TCP proxy in front of the server: `cut()` drops every proxied connection (as a network failure would) and
 * refuses new ones until `restore()`.
 */
export class Proxy {
  private server: Server | null = null;
  private readonly pairs = new Set<[NetSocket, NetSocket]>();
  private open = true;
  port = 0;

  constructor(private readonly targetPort: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((downstream) => {
      if (!this.open) {
        downstream.destroy();
        return;
      }
      const upstream = netConnect(this.targetPort, '127.0.0.1');
      const pair: [NetSocket, NetSocket] = [downstream, upstream];
      this.pairs.add(pair);
      const end = () => {
        this.pairs.delete(pair);
        downstream.destroy();
        upstream.destroy();
      };
      downstream.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      downstream.pipe(upstream);
      upstream.pipe(downstream);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Drop every connection and refuse new ones. */
  cut(): void {
    this.open = false;
    for (const [downstream, upstream] of [...this.pairs]) {
      downstream.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  restore(): void {
    this.open = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** The error a refused request carries (`{ code: 'succeeded' }` when it was not refused), for asserting on. */
export async function refusalOf(promise: Promise<unknown>): Promise<{ code: string; details?: unknown }> {
  return promise.then(
    () => ({ code: 'succeeded' }),
    (err: unknown) => err as { code: string; details?: unknown },
  );
}
