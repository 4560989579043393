import http from 'node:http';
import https from 'node:https';
import type { SiteCall, SiteCallOutcome, SiteCaller } from '../engine/ports/siteCaller.js';
import { signedHeaders } from './signature.js';

/**
 * Connections kept open to each endpoint between calls. A webhook endpoint receives every message of an app, so
 * at thousands of deliveries a second a new connection (and TLS handshake) per call would cost more than the
 * call; fetch's per-request overhead was the dispatcher's largest cost in the S3W profile, hence node:http.
 * Idle sockets are unref'd by the agent, so they never hold the process open.
 */
const AGENT_OPTIONS = { keepAlive: true, maxSockets: 64, maxFreeSockets: 16, timeout: 60_000 };

type Finish = (outcome: SiteCallOutcome) => void;

/** The site caller over node:http(s): signed, never redirected, bounded in time and in what it reads. */
export class HttpSiteCaller implements SiteCaller {
  private readonly httpAgent = new http.Agent(AGENT_OPTIONS);
  private readonly httpsAgent = new https.Agent(AGENT_OPTIONS);

  post(call: SiteCall, now: number): Promise<SiteCallOutcome> {
    let url: URL;
    try {
      url = new URL(call.url);
    } catch {
      return Promise.resolve({ ok: false, failure: 'unreachable' });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return Promise.resolve({ ok: false, failure: 'unreachable' });
    }
    const secure = url.protocol === 'https:';
    return new Promise((resolve) => {
      let settled = false;
      const finish: Finish = (outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const request = (secure ? https : http).request(
        url,
        {
          method: 'POST',
          agent: secure ? this.httpsAgent : this.httpAgent,
          headers: {
            ...signedHeaders(call.secret, call.eventId, call.body, now),
            'content-length': String(Buffer.byteLength(call.body)),
          },
        },
        (response) => readAnswer(response, call.maxResponseBytes, finish, () => request.destroy()),
      );
      // One bound for the whole call (connecting, sending, the answer's headers and body), as fetch's signal was.
      const timer = setTimeout(() => {
        finish({ ok: false, failure: 'timeout' });
        request.destroy();
      }, call.timeoutMs);
      request.on('error', () => finish({ ok: false, failure: 'unreachable' }));
      request.end(call.body);
    });
  }
}

/** The answer's status and body as text; a redirect is not followed, a body past `max` bytes is not read on. */
function readAnswer(response: http.IncomingMessage, max: number, finish: Finish, cut: () => void): void {
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400) {
    finish({ ok: false, failure: 'redirect', status });
    cut();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > max) {
      finish({ ok: false, failure: 'too_large', status });
      cut();
      return;
    }
    chunks.push(chunk);
  });
  response.on('end', () => finish({ ok: true, status, body: Buffer.concat(chunks).toString('utf8') }));
  response.on('error', () => finish({ ok: false, failure: 'unreachable', status }));
  response.on('aborted', () => finish({ ok: false, failure: 'unreachable', status }));
}
