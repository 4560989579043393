/** Helpers for the eventchat dialect tests: a recording socket.io-client on `/eventchat`, admin calls. */
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type { TestServer } from '../../helpers/server.js';
import { once, waitFor } from '../../helpers/wait.js';
import { api } from '../../native/helpers.js';

export interface Frame {
  event: string;
  data: unknown;
}

export type Rec = Record<string, unknown>;

/**
 * A socket.io-client socket on `/eventchat` that records every event the server emits, in order, so that a
 * test can wait for one and can check what came before a marker.
 */
export class EventchatClient {
  readonly frames: Frame[] = [];
  readonly socket: Socket;
  /** Resolves with the reason when the socket is disconnected. */
  readonly disconnected: Promise<string>;
  private taken = 0;

  constructor(url: string, query: Record<string, string> = {}, extraHeaders?: Record<string, string>) {
    this.socket = io(`${url}/eventchat`, {
      query,
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(extraHeaders ? { extraHeaders } : {}),
    });
    this.socket.onAny((event: string, ...args: unknown[]) => {
      this.frames.push({ event, data: args[0] });
    });
    this.disconnected = new Promise((resolve) =>
      this.socket.once('disconnect', (reason: string) => resolve(reason)),
    );
  }

  emit(event: string, ...args: unknown[]): void {
    this.socket.emit(event, ...args);
  }

  /**
   * The next recorded frame (after the ones already taken) named `event` and matching `match`. Frames skipped
   * on the way stay recorded but are not returned again.
   */
  async next(event: string, match?: (data: Rec) => boolean, timeoutMs = 5000): Promise<Rec> {
    const found = await waitFor(
      () => {
        for (let i = this.taken; i < this.frames.length; i++) {
          const frame = this.frames[i];
          if (frame?.event !== event) continue;
          const data = (frame.data ?? {}) as Rec;
          if (match && !match(data)) continue;
          this.taken = i + 1;
          return { data };
        }
        return null;
      },
      { timeoutMs, label: `'${event}' (have ${this.frames.map((f) => f.event).join(', ')})` },
    );
    return found.data;
  }

  /** A position in the recording, for `until`. */
  mark(): number {
    return this.frames.length;
  }

  /**
   * Waits for a frame named `event` (matching `match`) recorded after `mark`, and resolves with every frame
   * recorded between the mark and it: what a test checks to prove something was NOT delivered before a marker.
   */
  async until(mark: number, event: string, match?: (data: Rec) => boolean): Promise<Frame[]> {
    const found = await waitFor(
      () => {
        for (let i = mark; i < this.frames.length; i++) {
          const frame = this.frames[i];
          if (frame?.event === event && (!match || match((frame.data ?? {}) as Rec))) return { i };
        }
        return null;
      },
      { label: `'${event}' after the mark` },
    );
    this.taken = Math.max(this.taken, found.i + 1);
    return this.frames.slice(mark, found.i);
  }

  /** Every recorded frame named `event`. */
  all(event: string): Rec[] {
    return this.frames.filter((f) => f.event === event).map((f) => (f.data ?? {}) as Rec);
  }

  /** Waits for the `connection` event the server emits once the connection is accepted. */
  async connected(): Promise<this> {
    await this.next('connection');
    return this;
  }

  /** Emits `Auth` and waits for its answer; resolves with `Auth` data or rejects with the `cerror`. */
  async auth(user: string, password: string, room: string): Promise<Rec> {
    const mark = this.frames.length;
    this.emit('Auth', { user, password, room });
    const found = await waitFor(
      () => this.frames.slice(mark).find((f) => f.event === 'Auth' || f.event === 'cerror'),
      { label: 'Auth or cerror' },
    );
    this.taken = this.frames.indexOf(found) + 1;
    if (found.event === 'cerror') throw new Error(`Auth refused: ${JSON.stringify(found.data)}`);
    return found.data as Rec;
  }

  /**
   * Sends `message`, then proves the round trip: waits for the sender's own copy and resolves with it.
   */
  async say(rawContent: string): Promise<Rec> {
    this.emit('message', { content: rawContent, raw_content: rawContent });
    return this.next('message', (m) => m.raw_content === rawContent);
  }

  close(): void {
    this.socket.close();
  }
}

/** Every client a test opens, closed in afterEach. */
export class EventchatPool {
  private readonly clients = new Set<{ close(): void }>();

  open(srv: { url: string }, query: Record<string, string> = {}, headers?: Record<string, string>) {
    const client = new EventchatClient(srv.url, query, headers);
    this.clients.add(client);
    return client;
  }

  /** A connected and authenticated client in `room`. */
  async authed(
    srv: { url: string },
    user: string,
    password: string,
    room: string,
    query: Record<string, string> = {},
  ): Promise<EventchatClient> {
    const client = await this.open(srv, query).connected();
    await client.auth(user, password, room);
    return client;
  }

  add(client: { close(): void }): void {
    this.clients.add(client);
  }

  closeAll(): void {
    for (const client of this.clients) client.close();
    this.clients.clear();
  }
}

/** Creates an account with a password (and a role) through the admin API. */
export async function createUser(
  srv: TestServer,
  username: string,
  password: string,
  role = 'member',
  app = 1,
): Promise<void> {
  await api(srv, 'POST', `/api/v1/apps/${app}/users`, { username, password, role });
}

/** An access token for `username` from the admin API. */
export async function tokenFor(srv: TestServer, username: string, app = 1): Promise<string> {
  const issued = await api<{ token: string }>(srv, 'POST', `/api/v1/apps/${app}/tokens`, { username });
  return issued.token;
}

/** Resolves when `socket` fires `event`, with its first argument. */
export async function onceData(socket: Socket, event: string): Promise<Rec> {
  const [data] = await once<[Rec]>(socket, event);
  return data;
}
