/** Helpers for the moneypot dialect tests: sockets on /moneypot, the document's calls, tokens as sha256 hex. */
import { createHash } from 'node:crypto';
import { io as ioClient } from 'socket.io-client';
import type { ManagerOptions, Socket, SocketOptions } from 'socket.io-client';
import type { TestServer } from '../../helpers/server.js';
import { collect, waitFor } from '../../helpers/wait.js';
import { api } from '../../native/helpers.js';

export const NAMESPACE = '/moneypot';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Creates the user (when new) with a role, issues an access token and answers its sha256 hex. */
export async function hashedToken(
  srv: TestServer,
  username: string,
  role = 'member',
  app = 1,
): Promise<string> {
  try {
    await api(srv, 'POST', `/api/v1/apps/${app}/users`, { username, role });
  } catch (err) {
    if (!(err instanceof Error && err.message.includes('409'))) throw err;
  }
  const issued = await api<{ token: string }>(srv, 'POST', `/api/v1/apps/${app}/tokens`, { username });
  return sha256(issued.token);
}

export async function createApp(srv: TestServer, name: string, settings: Record<string, unknown> = {}) {
  return api<{ id: number }>(srv, 'POST', '/api/v1/apps', { name, settings });
}

export interface AuthReply {
  err: unknown;
  data: unknown;
}

/** A socket.io-client socket on /moneypot that records every event it gets. */
export class MpClient {
  readonly socket: Socket;
  /** Every event received, in order: [name, payload]. */
  readonly received: [string, unknown][] = [];

  constructor(url: string, opts: Partial<ManagerOptions & SocketOptions> = {}) {
    this.socket = ioClient(`${url}${NAMESPACE}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...opts,
    });
    this.socket.onAny((name: string, payload: unknown) => {
      this.received.push([name, payload]);
    });
  }

  events<T = unknown>(name: string) {
    return collect<T>(this.socket, name);
  }

  connected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', (err) => reject(err));
    });
  }

  /** `socket.emit('auth', payload, function (err, data) {...})`, as the document shows it. */
  auth(payload: unknown): Promise<AuthReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('auth callback not called')), 5000);
      this.socket.emit('auth', payload, (err: unknown, data: unknown) => {
        clearTimeout(timer);
        resolve({ err, data });
      });
    });
  }

  /** `socket.emit('new_message', text, function (err) {...})`; resolves with `err`. */
  send(text: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('new_message callback not called')), 5000);
      this.socket.emit('new_message', text, (err: unknown) => {
        clearTimeout(timer);
        resolve(err);
      });
    });
  }

  /** Emit anything with a callback and resolve with the callback's arguments. */
  call(name: string, ...args: unknown[]): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} callback not called`)), 5000);
      this.socket.emit(name, ...args, (...reply: unknown[]) => {
        clearTimeout(timer);
        resolve(reply);
      });
    });
  }

  /** The received events of one name, in order. */
  named<T = unknown>(name: string): T[] {
    return this.received.filter(([n]) => n === name).map(([, p]) => p as T);
  }

  /** Waits for an event that matches and answers the events received before it (for "not delivered" checks). */
  async until(name: string, match: (payload: unknown) => boolean): Promise<[string, unknown][]> {
    const index = await waitFor(
      () => {
        const i = this.received.findIndex(([n, p]) => n === name && match(p));
        return i >= 0 ? { i } : null;
      },
      { label: `${name} on moneypot socket` },
    );
    return this.received.slice(0, index.i);
  }

  close(): void {
    this.socket.close();
  }
}

/** Every moneypot socket a test opens, closed in afterEach. */
export class MpPool {
  private readonly clients = new Set<MpClient>();

  client(srv: { url: string }, opts: Partial<ManagerOptions & SocketOptions> = {}): MpClient {
    const client = new MpClient(srv.url, opts);
    this.clients.add(client);
    return client;
  }

  /** A connected socket that has sent auth; answers the client and the auth reply. */
  async authed(srv: { url: string }, payload: unknown): Promise<{ client: MpClient; reply: AuthReply }> {
    const client = this.client(srv);
    await client.connected();
    const reply = await client.auth(payload);
    return { client, reply };
  }

  closeAll(): void {
    for (const client of this.clients) client.close();
    this.clients.clear();
  }
}

/** A unique marker text for "X arrived and Y did not before it" checks. */
export function marker(label = 'marker'): string {
  return `${label}-${Math.random().toString(36).slice(2, 10)}`;
}

export function isNewMessage(text: string): (payload: unknown) => boolean {
  return (payload) =>
    typeof payload === 'object' && payload !== null && (payload as { text?: unknown }).text === text;
}
