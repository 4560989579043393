/** The settings of the content filter and the escalation ladder (app settings `filter` and `escalation`). */
import { z } from 'zod';
import {
  ATTACHMENT_BYTES_CAP,
  ATTACHMENT_TYPES_MAX,
  ATTACHMENTS_PER_MESSAGE_CAP,
} from '../core/attachments.js';
import { KEEP_QUERY_MAX, PAGE_ROOMS_MAX } from '../core/pageRooms.js';
import { HIDE_AFTER_MAX } from '../core/reports.js';
import {
  MAX_FILTER_RULES,
  MAX_LINK_AGE_HOURS,
  MAX_PHRASE_LENGTH,
  phraseIsMatchable,
} from '../core/contentFilter.js';
import {
  DEFAULT_VERIFY_TIMEOUT_MS,
  isVerifyUrl,
  SECRET_SET,
  VERIFICATION_PROVIDERS,
  VERIFY_TIMEOUT_MAX_MS,
  VERIFY_TIMEOUT_MIN_MS,
} from '../core/guestVerification.js';
import {
  DEFAULT_PRE_SEND_TIMEOUT_MS,
  PRE_SEND_TIMEOUT_MAX_MS,
  PRE_SEND_TIMEOUT_MIN_MS,
} from '../core/preSendHook.js';
import { MAX_LADDER_STEPS, MAX_STEP_MINUTES, MAX_STRIKE_TTL_HOURS } from '../core/escalation.js';

const filterRule = z.strictObject({
  phrase: z
    .string()
    .min(1)
    .max(MAX_PHRASE_LENGTH)
    .refine(phraseIsMatchable, 'a phrase needs at least one letter or digit')
    .describe(
      'Plain text (no pattern syntax), matched case- and accent-blind, look-alikes and separators aside',
    ),
  action: z
    .enum(['reject', 'mask', 'hold'])
    .describe(
      'reject: refused (message_filtered); mask: the match replaced by asterisks; hold: held for review',
    ),
  match: z
    .enum(['word', 'anywhere'])
    .optional()
    .describe('word (default): whole words only; anywhere: inside words too'),
});

export const filterSettingsSchema = z.strictObject({
  rules: z.array(filterRule).max(MAX_FILTER_RULES).describe(`At most ${MAX_FILTER_RULES} rules`),
  links: z
    .enum(['anyone', 'members', 'staff'])
    .describe('Who may post links: anyone; members (not guests); staff (mods and up) only'),
  linkMinAccountAgeHours: z
    .number()
    .int()
    .min(0)
    .max(MAX_LINK_AGE_HOURS)
    .describe('Where links are allowed, a user below mod must be at least this old (hours) to post one'),
});

const minutes = z.number().int().min(1).max(MAX_STEP_MINUTES);

const ladderStep = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('warn') }),
  z.strictObject({ action: z.literal('mute'), minutes }),
  z.strictObject({ action: z.literal('ban'), minutes }),
]);

export const escalationSettingsSchema = z.strictObject({
  ladder: z
    .array(ladderStep)
    .max(MAX_LADDER_STEPS)
    .describe('Step N applies at the Nth unexpired strike (the last step past the end); empty: strikes only'),
  strikeTtlHours: z.number().int().min(1).max(MAX_STRIKE_TTL_HOURS).describe('How long a strike counts'),
});

/** App setting `guestVerification` (core/guestVerification.ts); the secret is write-only. */
export const guestVerificationSchema = z
  .strictObject({
    provider: z
      .enum(VERIFICATION_PROVIDERS)
      .describe('Which widget the client shows; custom: your own service'),
    verifyUrl: z
      .string()
      .max(2048)
      .refine(isVerifyUrl, 'must be an https URL (http only to 127.0.0.1, ::1 or localhost)')
      .describe(
        'Where Parley POSTs the token, e.g. https://challenges.cloudflare.com/turnstile/v0/siteverify',
      ),
    secret: z
      .string()
      .min(1)
      .max(1024)
      .optional()
      .describe(`The service's secret key; answers show ${SECRET_SET}; left out (or ${SECRET_SET}) keeps it`),
    siteKey: z.string().min(1).max(1024).describe("The service's public site key, for the client's widget"),
    timeoutMs: z
      .number()
      .int()
      .min(VERIFY_TIMEOUT_MIN_MS)
      .max(VERIFY_TIMEOUT_MAX_MS)
      .optional()
      .describe(`How long Parley waits for the service (default ${DEFAULT_VERIFY_TIMEOUT_MS})`),
  })
  .describe('A token new guests must present (verification_failed otherwise); null: off (default)');

/** App setting `reports` (core/reports.ts). */
export const reportSettingsSchema = z.strictObject({
  hideAfter: z
    .number()
    .int()
    .min(0)
    .max(HIDE_AFTER_MAX)
    .describe('Distinct established reporters that hide a message until a moderator decides; 0: never'),
  establishedAfterHours: z
    .number()
    .int()
    .min(0)
    .max(8760)
    .describe('Hours after its creation an account counts as established for auto-hide (guests never do)'),
});

/** App setting `pageRooms` (core/pageRooms.ts). */
export const pageRoomsSchema = z.strictObject({
  enabled: z.boolean().describe('Whether `rooms.page` creates a room for a page that has none yet'),
  maxRooms: z
    .number()
    .int()
    .min(0)
    .max(PAGE_ROOMS_MAX)
    .describe('The most page rooms the app holds (room_limit past it)'),
  keepQuery: z
    .array(z.string().min(1).max(64))
    .max(KEEP_QUERY_MAX)
    .describe('Query parameters that tell pages apart; the others (and the fragment) are dropped'),
});

/** App setting `attachments` (core/attachments.ts). */
export const attachmentSettingsSchema = z.strictObject({
  enabled: z.boolean().describe('Whether users may upload files and send them in messages'),
  maxBytes: z
    .number()
    .int()
    .min(1)
    .max(ATTACHMENT_BYTES_CAP)
    .describe('The largest upload in bytes (default 10 MB, at most 50 MB)'),
  types: z
    .array(z.string().regex(/^[a-z0-9.+-]+\/([a-z0-9.+-]+)?$/))
    .max(ATTACHMENT_TYPES_MAX)
    .describe('Media types (`application/pdf`) or prefixes (`image/`) the content of a file may be'),
  maxPerMessage: z
    .number()
    .int()
    .min(1)
    .max(ATTACHMENTS_PER_MESSAGE_CAP)
    .describe('The most files one message carries (at most 10)'),
});

/** App setting `preSendHook` (core/preSendHook.ts); the secret is write-only. */
export const preSendHookSchema = z
  .strictObject({
    url: z
      .string()
      .max(2048)
      .refine(isVerifyUrl, 'must be an https URL (http only to 127.0.0.1, ::1 or localhost)')
      .describe('Where Parley POSTs each message before storing it (signed: docs/bots.md)'),
    secret: z
      .string()
      .min(1)
      .max(1024)
      .optional()
      .describe(`The signing secret; answers show ${SECRET_SET}; left out (or ${SECRET_SET}) keeps it`),
    timeoutMs: z
      .number()
      .int()
      .min(PRE_SEND_TIMEOUT_MIN_MS)
      .max(PRE_SEND_TIMEOUT_MAX_MS)
      .optional()
      .describe(`How long the sender waits for the answer (default ${DEFAULT_PRE_SEND_TIMEOUT_MS})`),
    onTimeout: z
      .enum(['allow', 'reject'])
      .optional()
      .describe('What a missing, late, failed or malformed answer means (default allow)'),
  })
  .describe('A hook that allows, refuses or rewrites each message before it is stored; null: off (default)');
