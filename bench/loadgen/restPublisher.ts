/**
 * S2's REST publisher: the site's backend posting into a room over HTTP (Parley's server-side publish, the
 * baselines' same route) instead of a member sending over its socket, so that the room's fan-out is measured
 * without the publisher's own connection in the way. Keep-alive connections, a bounded number at once.
 */
import { Agent, request } from 'node:http';

/** Enough parallel requests for 150k deliveries/s into a room of 1,000 (150 requests/s) with headroom. */
const MAX_SOCKETS = 32;

export interface RestTarget {
  /** The server's HTTP origin, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  /** Parley's admin key (the baselines take any). */
  adminKey: string;
  /** The author of the published messages. */
  username: string;
}

/** The HTTP origin of a client-facing URL (ws://host:port/ws → http://host:port). */
export function httpOrigin(clientUrl: string): string {
  const url = new URL(clientUrl);
  return `${url.protocol === 'wss:' || url.protocol === 'https:' ? 'https:' : 'http:'}//${url.host}`;
}

export class RestPublisher {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  private readonly url: URL;

  constructor(
    private readonly target: RestTarget,
    room: string,
  ) {
    this.url = new URL(`/api/v1/apps/1/rooms/${encodeURIComponent(room)}/messages`, target.baseUrl);
  }

  /** Posts one message; `done` gets null on 200/201, else a short error name for the step's error counts. */
  post(text: string, done: (error: string | null) => void): void {
    const body = JSON.stringify({ username: this.target.username, text });
    const req = request(
      this.url,
      {
        method: 'POST',
        agent: this.agent,
        headers: {
          authorization: `Bearer ${this.target.adminKey}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          done(res.statusCode === 200 || res.statusCode === 201 ? null : `http_${res.statusCode}`),
        );
      },
    );
    req.on('error', () => done('http_error'));
    req.end(body);
  }

  close(): void {
    this.agent.destroy();
  }
}
