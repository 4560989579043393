import type { SiteCall, SiteCallOutcome, SiteCaller } from '../engine/ports/siteCaller.js';
import { readBounded } from './readBounded.js';
import { signedHeaders } from './signature.js';

/** The site caller over fetch: signed, never redirected, bounded in time and in what it reads. */
export class HttpSiteCaller implements SiteCaller {
  async post(call: SiteCall, now: number): Promise<SiteCallOutcome> {
    try {
      const response = await fetch(call.url, {
        method: 'POST',
        headers: signedHeaders(call.secret, call.eventId, call.body, now),
        body: call.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(call.timeoutMs),
      });
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel();
        return { ok: false, failure: 'redirect', status: response.status };
      }
      const body = await readBounded(response, call.maxResponseBytes);
      if (body === null) return { ok: false, failure: 'too_large', status: response.status };
      return { ok: true, status: response.status, body };
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      return { ok: false, failure: timedOut ? 'timeout' : 'unreachable' };
    }
  }
}
