/** Helpers for the chatroom dialect tests: a raw `ws` client speaking the seed's frames, and account calls. */
import { WebSocket } from 'ws';
import type { TestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait.js';

export type Frame = Record<string, unknown>;

export interface ReceiveMessage {
  statusCode: 'ok';
  type: 'receive_message';
  data: { author: string; message: string };
}

export function wsUrl(srv: { url: string }, query = ''): string {
  return `${srv.url.replace(/^http/, 'ws')}/chatroom${query}`;
}

/** A chatroom client exactly as the seed document shows: `new WebSocket(url)`, JSON text frames. */
export class ChatroomClient {
  readonly frames: Frame[] = [];
  /** Every frame ever received, in order (frames taken by next() stay here). */
  readonly log: Frame[] = [];
  /** Frames that were not JSON objects (the server must never send one). */
  readonly garbage: string[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  isClosed = false;

  constructor(
    readonly ws: WebSocket,
    public username = '',
    public token = '',
  ) {
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        this.isClosed = true;
        resolve({ code, reason: reason.toString('utf8') });
      }),
    );
    ws.on('error', () => {});
    ws.on('message', (data) => {
      const text = data.toString('utf8');
      try {
        const frame: unknown = JSON.parse(text);
        if (typeof frame === 'object' && frame !== null && !Array.isArray(frame)) {
          this.frames.push(frame as Frame);
          this.log.push(frame as Frame);
          return;
        }
      } catch {
        // fall through
      }
      this.garbage.push(text);
    });
  }

  sendRaw(text: string | Buffer): void {
    this.ws.send(text);
  }

  sendJson(value: unknown): void {
    this.ws.send(JSON.stringify(value));
  }

  /** The first frame: `{username}` (the document) or `{username, token}` (its web client). */
  hello(withToken = false): void {
    this.sendJson(withToken ? { username: this.username, token: this.token } : { username: this.username });
  }

  command(action: string, args: Record<string, unknown> = {}, token = this.token): void {
    this.sendJson({ token, action, args });
  }

  /** The next frame matching `match`, taken out of `frames` (earlier non-matching frames stay). */
  async next(match: (frame: Frame) => boolean = () => true, timeoutMs = 5000): Promise<Frame> {
    const found = await waitFor(
      () => {
        const index = this.frames.findIndex(match);
        return index >= 0 ? { index } : null;
      },
      { timeoutMs, label: `a matching frame (have ${JSON.stringify(this.frames).slice(0, 500)})` },
    );
    return this.frames.splice(found.index, 1)[0] as Frame;
  }

  /** The next frame, whatever it is (frames arrive in order). */
  async shift(timeoutMs = 5000): Promise<Frame> {
    await waitFor(() => this.frames.length > 0, { timeoutMs, label: 'a frame' });
    return this.frames.shift() as Frame;
  }

  /**
   * Sends get_rooms as a marker and resolves with every frame that came before its reply: the way to prove
   * that something was NOT delivered (the server handles a connection's frames in order).
   */
  async framesBeforeMarker(): Promise<Frame[]> {
    this.command('get_rooms');
    const before: Frame[] = [];
    for (;;) {
      const frame = await this.shift();
      if (frame.type === 'get_rooms' && frame.statusCode === 'ok') return before;
      before.push(frame);
    }
  }

  async receive(match: (data: { author: string; message: string }) => boolean): Promise<ReceiveMessage> {
    return (await this.next(
      (f) => f.type === 'receive_message' && match((f as unknown as ReceiveMessage).data),
    )) as unknown as ReceiveMessage;
  }

  close(): void {
    this.ws.terminate();
  }
}

export function isErrorFrame(frame: Frame): boolean {
  const data = frame.data;
  return (
    frame.statusCode === 'error' &&
    typeof frame.type === 'string' &&
    typeof data === 'object' &&
    data !== null &&
    typeof (data as Frame).message === 'string' &&
    Object.keys(frame).sort().join() === 'data,statusCode,type'
  );
}

/** Every client a test opens, closed in afterEach. */
export class ChatroomPool {
  private readonly clients = new Set<{ close(): void }>();

  open(srv: { url: string }, query = '', headers: Record<string, string> = {}): ChatroomClient {
    const client = new ChatroomClient(new WebSocket(wsUrl(srv, query), { headers }));
    this.clients.add(client);
    return client;
  }

  /** Opened, `{username}` sent (with the token when `withToken`), and authenticated by a get_rooms. */
  async ready(
    srv: { url: string },
    username: string,
    token: string,
    opts: { withToken?: boolean; query?: string } = {},
  ): Promise<ChatroomClient> {
    const client = this.open(srv, opts.query ?? '');
    client.username = username;
    client.token = token;
    await client.opened;
    client.hello(opts.withToken ?? false);
    client.command('get_rooms');
    await client.next((f) => f.type === 'get_rooms' && f.statusCode === 'ok');
    return client;
  }

  track<T extends { close(): void }>(client: T): T {
    this.clients.add(client);
    return client;
  }

  closeAll(): void {
    for (const client of this.clients) client.close();
    this.clients.clear();
  }
}

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
}

export async function post<T = unknown>(
  srv: { url: string },
  path: string,
  body: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<HttpResult<T>> {
  const res = await fetch(`${srv.url}${path}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** Register through the dialect's own route; resolves with the token. */
export async function registerUser(
  srv: TestServer | { url: string },
  username: string,
  password = 'secret-password',
  app?: number,
): Promise<string> {
  const res = await post<{ token: string }>(
    srv,
    `/chatroom/register-user${app === undefined ? '' : `?app=${app}`}`,
    { username, password },
  );
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}
