/** Helpers for the socketapi dialect tests: a recording socket.io client on `/socketapi`, tokens, admin calls. */
import { io as ioClient } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type { TestServer } from '../../helpers/server.js';
import { once, waitFor } from '../../helpers/wait.js';
import { api } from '../../native/helpers.js';

export interface Received {
  event: string;
  data: unknown;
}

/**
 * A socket.io client on the dialect's namespace, as the document shows it, that records every event it
 * receives in order, so that tests can wait for one and check what came before it.
 */
export class SocketApiClient {
  readonly received: Received[] = [];
  private cursor = 0;
  readonly disconnected: Promise<string>;

  constructor(
    readonly socket: Socket,
    readonly app: string | undefined,
  ) {
    socket.onAny((event: string, ...args: unknown[]) => this.received.push({ event, data: args[0] }));
    this.disconnected = new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  async connect(): Promise<this> {
    if (!this.socket.connected) await once(this.socket, 'connect', { rejectOn: ['connect_error'] });
    return this;
  }

  emit(event: string, ...args: unknown[]): void {
    this.socket.emit(event, ...args);
  }

  /** The next received event matching `match` after the previous one taken, and what came before it. */
  async nextWhere(
    match: (item: Received) => boolean,
    label: string,
    timeoutMs = 5000,
  ): Promise<{ item: Received; before: Received[] }> {
    const found = await waitFor(
      () => {
        for (let i = this.cursor; i < this.received.length; i++) {
          const item = this.received[i];
          if (item && match(item)) return { index: i };
        }
        return null;
      },
      { timeoutMs, label: `${label} (received: ${this.received.map((r) => r.event).join(', ')})` },
    );
    const before = this.received.slice(this.cursor, found.index);
    const item = this.received[found.index] as Received;
    this.cursor = found.index + 1;
    return { item, before };
  }

  /**
   * The next event named `event` (matching `match`) after the previous one taken; resolves with its data and
   * every event received between the cursor and it.
   */
  async next<T = Record<string, unknown>>(
    event: string,
    match: (data: T) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<{ data: T; before: Received[] }> {
    const { item, before } = await this.nextWhere(
      (r) => r.event === event && match(r.data as T),
      `'${event}'`,
      timeoutMs,
    );
    return { data: item.data as T, before };
  }

  /** Wait for `event` and return its data. */
  async wait<T = Record<string, unknown>>(event: string, match?: (data: T) => boolean): Promise<T> {
    return (await this.next<T>(event, match)).data;
  }

  /** Every event received so far with this name. */
  all(event: string): unknown[] {
    return this.received.filter((r) => r.event === event).map((r) => r.data);
  }

  /** Authenticate as the document shows and wait for auth-success. */
  async auth(token: string, transaction = `auth-${Math.random()}`): Promise<{ userId: number }> {
    this.emit('auth', { transaction, data: token });
    const { item } = await this.nextWhere(
      (r) =>
        (r.event === 'auth-success' && (r.data as { transaction?: unknown }).transaction === transaction) ||
        r.event === `socket-api-error-${transaction}`,
      'auth-success',
    );
    if (item.event !== 'auth-success') throw new Error(`auth failed: ${String(item.data)}`);
    return { userId: (item.data as { userId: number }).userId };
  }

  /**
   * Send an unknown event as a marker and wait for its error: everything the server wrote before it has
   * arrived by then. Returns what arrived since the last event taken.
   */
  async marker(): Promise<Received[]> {
    const name = `marker-${Math.random().toString(36).slice(2)}`;
    this.emit(name, {});
    const { before } = await this.next<{ event: string }>('socket-api-error', (d) => d.event === name);
    return before;
  }

  close(): void {
    this.socket.close();
  }
}

/** Every socketapi client a test opens, closed in afterEach. */
export class SocketApiPool {
  private readonly clients = new Set<SocketApiClient>();

  open(
    srv: { url: string },
    opts: { app?: string; extraHeaders?: Record<string, string>; query?: Record<string, string> } = {},
  ): SocketApiClient {
    const query: Record<string, string> = { ...opts.query };
    if (opts.app !== undefined) query.app = opts.app;
    const socket = ioClient(`${srv.url}/socketapi`, {
      query,
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(opts.extraHeaders ? { extraHeaders: opts.extraHeaders } : {}),
    });
    const client = new SocketApiClient(socket, opts.app);
    this.clients.add(client);
    return client;
  }

  /** Open, connect and authenticate with a fresh token for `username`. */
  async user(srv: TestServer, username: string, app = 1): Promise<SocketApiClient & { userId: number }> {
    const client = await this.open(srv, { app: String(app) }).connect();
    const { userId } = await client.auth(await tokenFor(srv, username, app));
    return Object.assign(client, { userId });
  }

  closeAll(): void {
    for (const client of this.clients) client.close();
    this.clients.clear();
  }
}

/** An access token of `app` for `username` (created as an external member if new). */
export async function tokenFor(
  srv: TestServer,
  username: string,
  app = 1,
  ttlSeconds?: number,
): Promise<string> {
  const body: Record<string, unknown> = { username };
  if (ttlSeconds !== undefined) body.ttlSeconds = ttlSeconds;
  const issued = await api<{ token: string }>(srv, 'POST', `/api/v1/apps/${app}/tokens`, body);
  return issued.token;
}

let counter = 0;
/** A name no other test in the run uses (room and user names are per app and unique). */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${counter}${Math.random().toString(36).slice(2, 6)}`;
}
