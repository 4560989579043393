/**
 * A site's endpoint on the loopback, as a test's own: it checks each request's signature with the reference
 * receiver check, keeps what it was sent, and answers with what the test's handler says (or holds the request
 * until the test lets it go).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../src/outbound/signature.js';

export interface ReceivedCall {
  body: Record<string, unknown>;
  /** Whether the signature headers checked out with the receiver's secret. */
  verified: boolean;
  eventId: string | undefined;
}

/** What to answer: a status and a body (an object is sent as JSON), or `hold` to keep the request open. */
export type SiteAnswer = { status?: number; body: unknown } | 'hold';

export class SiteReceiver {
  readonly calls: ReceivedCall[] = [];
  private readonly held = new Set<ServerResponse>();
  private readonly server: Server = createServer((req, res) => void this.answer(req, res));
  url = '';

  constructor(
    readonly secret: string,
    private handler: (call: ReceivedCall) => SiteAnswer,
  ) {}

  answerWith(handler: (call: ReceivedCall) => SiteAnswer): void {
    this.handler = handler;
  }

  async start(path = '/hook'): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
    return this;
  }

  /** How many requests are held open now. */
  get holding(): number {
    return this.held.size;
  }

  /** Answers every held request with `answer`. */
  release(answer: { status?: number; body: unknown }): void {
    for (const res of this.held) this.send(res, answer);
    this.held.clear();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const header = (name: string) => {
      const value = req.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const verified = verifySignature(
      this.secret,
      header('parley-signature') ?? '',
      header('parley-timestamp') ?? '',
      raw,
      Date.now(),
    );
    const call: ReceivedCall = {
      body: JSON.parse(raw) as Record<string, unknown>,
      verified,
      eventId: header('parley-event-id'),
    };
    this.calls.push(call);
    const answer = this.handler(call);
    if (answer === 'hold') {
      this.held.add(res);
      res.on('close', () => this.held.delete(res));
      return;
    }
    this.send(res, answer);
  }

  private send(res: ServerResponse, answer: { status?: number; body: unknown }): void {
    if (res.destroyed) return;
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
    res.end(text);
  }
}
