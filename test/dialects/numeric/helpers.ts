/** A raw numeric-dialect client over `ws`, as a client written against the seed document would be. */
import { WebSocket } from 'ws';
import { waitFor } from '../../helpers/wait.js';

export type Frame = Record<string, unknown>;

export function numericUrl(srv: { url: string }, nick: string, query = ''): string {
  return `${srv.url.replace(/^http/, 'ws')}/numeric/chat/login/${encodeURIComponent(nick)}${query}`;
}

export class NumericClient {
  /** Every frame received, in order (non-JSON frames are kept as `{raw}` so that a test sees them). */
  readonly frames: Frame[] = [];
  private taken = 0;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  closeInfo: { code: number; reason: string } | null = null;

  constructor(readonly ws: WebSocket) {
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString('utf8') };
        resolve(this.closeInfo);
      }),
    );
    ws.on('error', () => {});
    ws.on('message', (data) => {
      const text = data.toString('utf8');
      try {
        this.frames.push(JSON.parse(text) as Frame);
      } catch {
        this.frames.push({ raw: text });
      }
    });
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  sendText(text: string): void {
    this.ws.send(text);
  }

  /**
   * The next frame (after those already taken) that matches; frames before it are skipped. Frames are
   * taken in order, so `next` after `next` never returns an earlier frame.
   */
  async next(match: (frame: Frame) => boolean = () => true, timeoutMs = 5000): Promise<Frame> {
    const found = await waitFor(
      () => {
        for (let i = this.taken; i < this.frames.length; i++) {
          const frame = this.frames[i] as Frame;
          if (match(frame)) {
            this.taken = i + 1;
            return { frame };
          }
        }
        return null;
      },
      { timeoutMs, label: `a matching frame (have ${JSON.stringify(this.frames.slice(this.taken))})` },
    );
    return found.frame;
  }

  /** Frames from the current position up to and including the first that matches (which is the last item). */
  async until(match: (frame: Frame) => boolean, timeoutMs = 5000): Promise<Frame[]> {
    const start = this.taken;
    await this.next(match, timeoutMs);
    return this.frames.slice(start, this.taken);
  }

  /** Skip everything received so far. */
  drain(): void {
    this.taken = this.frames.length;
  }

  /**
   * Proves that nothing matching `forbidden` arrives: asks for the user list (a marker the server answers
   * after every earlier request) and checks the frames up to the answer.
   */
  async expectNone(forbidden: (frame: Frame) => boolean): Promise<void> {
    const marker = `marker_${Math.random().toString(36).slice(2, 10)}`;
    this.send({ type: 6, channel: marker });
    const frames = await this.until((f) => f.type === 6 && f.channel === marker);
    const bad = frames.filter(forbidden);
    if (bad.length > 0) throw new Error(`unexpected frames: ${JSON.stringify(bad)}`);
  }

  close(): void {
    this.ws.terminate();
  }
}

export const isType =
  (type: number, fields: Frame = {}) =>
  (frame: Frame): boolean =>
    frame.type === type && Object.entries(fields).every(([key, value]) => frame[key] === value);

/** Every client a test opens, terminated in afterEach. */
export class NumericPool {
  private readonly clients = new Set<NumericClient>();

  open(srv: { url: string }, nick: string, query = '', headers: Record<string, string> = {}): NumericClient {
    const client = new NumericClient(new WebSocket(numericUrl(srv, nick, query), { headers }));
    this.clients.add(client);
    return client;
  }

  /** Opens and waits for the login confirmation (the client's own type 2). */
  async login(srv: { url: string }, nick: string, query = ''): Promise<NumericClient> {
    const client = this.open(srv, nick, query);
    await client.opened;
    await client.next(isType(2, { user: nick }));
    return client;
  }

  closeAll(): void {
    for (const client of this.clients) client.close();
    this.clients.clear();
  }
}
