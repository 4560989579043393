import { badField } from './failures.js';
import { SECRET_SET } from './guestVerification.js';

/** Bounds of `timeoutMs`: the sender waits this long at most, so it stays short. */
export const PRE_SEND_TIMEOUT_MIN_MS = 50;
export const PRE_SEND_TIMEOUT_MAX_MS = 5000;
export const DEFAULT_PRE_SEND_TIMEOUT_MS = 1000;
/** The most of a hook's answer read; a longer answer counts as no answer (the app's `onTimeout`). */
export const PRE_SEND_ANSWER_MAX_BYTES = 16 * 1024;
/** The longest `reason` of a refusal shown to the sender; a longer one is cut. */
export const PRE_SEND_REASON_MAX = 500;

/**
 * An app's `preSendHook`: every message is POSTed to `url` (signed with `secret`) before it is stored, and the
 * answer allows, refuses or replaces it. `onTimeout` decides when there is no usable answer in `timeoutMs`.
 */
export interface PreSendHook {
  url: string;
  secret: string;
  timeoutMs: number;
  onTimeout: 'allow' | 'reject';
}

/** The setting as the admin API takes it: the secret may be left out (or be `[set]`) to keep the stored one. */
export type PreSendHookInput = Omit<PreSendHook, 'secret' | 'timeoutMs' | 'onTimeout'> & {
  secret?: string;
  timeoutMs?: number;
  onTimeout?: 'allow' | 'reject';
};

/** The setting to store: the given one, its secret kept from `stored` when left out. */
export function settlePreSendHook(
  input: PreSendHookInput | null,
  stored: PreSendHook | null,
): PreSendHook | null {
  if (input === null) return null;
  const given = input.secret !== undefined && input.secret !== SECRET_SET ? input.secret : undefined;
  const secret = given ?? stored?.secret;
  if (secret === undefined) throw badField('preSendHook', 'preSendHook needs its secret');
  return {
    url: input.url,
    secret,
    timeoutMs: input.timeoutMs ?? DEFAULT_PRE_SEND_TIMEOUT_MS,
    onTimeout: input.onTimeout ?? 'allow',
  };
}

/** The setting as the admin API shows it. */
export function redactPreSendHook(setting: PreSendHook | null): PreSendHook | null {
  return setting === null ? null : { ...setting, secret: SECRET_SET };
}
