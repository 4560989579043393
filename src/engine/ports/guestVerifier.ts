import type { GuestVerification } from '../../core/guestVerification.js';

/** Why a token was not accepted, for the log and the refusal's message (never the service's own text). */
export type VerifyOutcome = { ok: true } | { ok: false; reason: string };

/**
 * Asks an app's verification service (Turnstile, hCaptcha, reCAPTCHA or one of the app's own) whether a new
 * guest's token is good. Implemented over HTTP by auth/guestVerifier.ts; the engine's identity part is its
 * only caller. It never throws: an unreachable, slow or malformed service is a refusal.
 */
export interface GuestVerifier {
  verify(setting: GuestVerification, token: string, remoteIp: string | undefined): Promise<VerifyOutcome>;
}
