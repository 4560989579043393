import { ParleyError } from './errors.js';
import { badField } from './failures.js';

/** The services a widget can show; `custom` is any endpoint that answers as they do (`{ "success": true }`). */
export const VERIFICATION_PROVIDERS = ['turnstile', 'hcaptcha', 'recaptcha', 'custom'] as const;
export type VerificationProvider = (typeof VERIFICATION_PROVIDERS)[number];

/** Bounds of `timeoutMs`: long enough for a distant service, short enough that a sign-in never hangs. */
export const VERIFY_TIMEOUT_MIN_MS = 100;
export const VERIFY_TIMEOUT_MAX_MS = 10_000;
export const DEFAULT_VERIFY_TIMEOUT_MS = 3000;
/** The longest verification token a client may present (the services' tokens are about 2 KiB at most). */
export const VERIFICATION_TOKEN_MAX = 8192;
/** What the admin API shows in the secret's place; given back in a PATCH it keeps the stored secret. */
export const SECRET_SET = '[set]';

/** An app's `guestVerification`: a new guest must present a token the service at `verifyUrl` accepts. */
export interface GuestVerification {
  provider: VerificationProvider;
  verifyUrl: string;
  secret: string;
  siteKey: string;
  timeoutMs: number;
}

/** The setting as the admin API takes it: the secret may be left out (or be `[set]`) to keep the stored one. */
export type GuestVerificationInput = Omit<GuestVerification, 'secret' | 'timeoutMs'> & {
  secret?: string;
  timeoutMs?: number;
};

/** What a client needs to show the widget; never the secret. */
export interface VerificationHint {
  provider: VerificationProvider;
  siteKey: string;
}

/** The setting to store: the given one, its secret kept from `stored` when left out. */
export function settleVerification(
  input: GuestVerificationInput | null,
  stored: GuestVerification | null,
): GuestVerification | null {
  if (input === null) return null;
  const given = input.secret !== undefined && input.secret !== SECRET_SET ? input.secret : undefined;
  const secret = given ?? stored?.secret;
  if (secret === undefined) throw badField('guestVerification', 'guestVerification needs its secret');
  return { ...input, secret, timeoutMs: input.timeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS };
}

/** The setting as the admin API shows it. */
export function redactVerification(setting: GuestVerification | null): GuestVerification | null {
  return setting === null ? null : { ...setting, secret: SECRET_SET };
}

/** https, or http to this machine only (a verifier run beside the server, or a test's). */
export function isVerifyUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  const host = url.hostname;
  return url.protocol === 'http:' && (host === 'localhost' || host === '[::1]' || host.startsWith('127.'));
}

/** A new guest without a token the service accepted; `details` tell the client which widget to show. */
export function verificationFailed(setting: GuestVerification, reason: string): ParleyError {
  const hint: VerificationHint = { provider: setting.provider, siteKey: setting.siteKey };
  return new ParleyError('verification_failed', reason, { ...hint });
}
