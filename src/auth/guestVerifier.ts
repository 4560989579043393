import type { GuestVerification } from '../core/guestVerification.js';
import type { GuestVerifier, VerifyOutcome } from '../engine/ports/guestVerifier.js';
import { readBounded } from '../outbound/readBounded.js';

/** The most of the service's answer read: its JSON is a few hundred bytes; more is not a service's answer. */
export const VERIFY_RESPONSE_MAX_BYTES = 16 * 1024;

/**
 * The services' siteverify call: a form POST of `secret`, `response` (the token) and `remoteip` (when known),
 * answered with JSON whose `success` must be `true`. The whole exchange, body included, is held to the app's
 * `timeoutMs`.
 */
export class HttpGuestVerifier implements GuestVerifier {
  async verify(
    setting: GuestVerification,
    token: string,
    remoteIp: string | undefined,
  ): Promise<VerifyOutcome> {
    const form = new URLSearchParams({ secret: setting.secret, response: token });
    if (remoteIp !== undefined) form.set('remoteip', remoteIp);
    try {
      const response = await fetch(setting.verifyUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form,
        redirect: 'error',
        signal: AbortSignal.timeout(setting.timeoutMs),
      });
      if (!response.ok) {
        await response.body?.cancel();
        return { ok: false, reason: `The verification service answered ${response.status}` };
      }
      const text = await readBounded(response, VERIFY_RESPONSE_MAX_BYTES);
      if (text === null) return { ok: false, reason: 'The verification service answered too much' };
      return successOf(text)
        ? { ok: true }
        : { ok: false, reason: 'The verification token was not accepted' };
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      return {
        ok: false,
        reason: timedOut
          ? 'The verification service did not answer in time'
          : 'The verification service failed',
      };
    }
  }
}

function successOf(text: string): boolean {
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === 'object' && body !== null && (body as { success?: unknown }).success === true;
  } catch {
    return false;
  }
}
