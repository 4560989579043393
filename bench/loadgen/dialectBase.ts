/**
 * What the dialect clients (dialects.ts, dialectSio.ts) share: an access token from the admin API, and one
 * request waiting at a time, settled by the parsed frame it matches.
 */
import { BenchClient, type ReplyCallback } from './clients.js';

export interface DialectClientOptions {
  /** The user's name (numeric: the nickname it logs in with). */
  name: string;
  /** Parley's admin key: access tokens for the dialects that take one (POST /api/v1/apps/1/tokens). */
  adminKey: string;
}

/** An access token for `username` (created as an external member if new), as a site's backend gets one. */
export async function issueToken(baseUrl: string, adminKey: string, username: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/apps/1/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ username }),
  });
  const body: unknown = await res.json();
  const token: unknown = typeof body === 'object' && body !== null ? Reflect.get(body, 'token') : undefined;
  if (!res.ok || typeof token !== 'string') throw new Error(`token_http_${res.status}`);
  return token;
}

/** Decides a parsed frame for a waiting request: 'ok', an error code, or null (not this frame's business). */
export type Matcher = (frame: unknown) => 'ok' | string | null;

export function prop(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
}

/** What the dialect clients share: one request waiting at a time, settled by the frame it matches. */
export abstract class DialectClient extends BenchClient {
  private waiting: { match: Matcher; cb: ReplyCallback } | null = null;

  protected get isWaiting(): boolean {
    return this.waiting !== null;
  }

  protected wait(match: Matcher, cb: ReplyCallback): void {
    if (this.waiting) {
      cb('busy', undefined);
      return;
    }
    this.waiting = { match, cb };
  }

  /** Offers a parsed frame to the waiting request. */
  protected offer(frame: unknown): void {
    const waiting = this.waiting;
    if (!waiting) return;
    const verdict = waiting.match(frame);
    if (verdict === null) return;
    this.waiting = null;
    waiting.cb(verdict === 'ok' ? null : verdict, frame);
  }

  protected override failPending(): void {
    super.failPending();
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.cb('disconnected', undefined);
  }

  post(op: string, data: unknown, cb: ReplyCallback): void {
    if (!this.connected) cb('disconnected', undefined);
    else if (op === 'auth') this.authenticate(cb);
    else if (op === 'join') this.join(String(prop(data, 'room')), cb);
    else cb('unsupported', undefined);
  }

  protected abstract authenticate(cb: ReplyCallback): void;
  protected abstract join(room: string, cb: ReplyCallback): void;
}
