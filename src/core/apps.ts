import { DEFAULT_ATTACHMENTS } from './attachments.js';
import { DEFAULT_FILTER } from './contentFilter.js';
import { DEFAULT_ESCALATION } from './escalation.js';
import { DEFAULT_PAGE_ROOMS } from './pageRooms.js';
import { badField } from './failures.js';
import { DEFAULT_MAX_REACTION_EMOJI } from './reactions.js';
import { DEFAULT_REPORT_SETTINGS } from './reports.js';
import { DEFAULT_SIGN_IN_LIMITS } from './signInLimits.js';
import { settleVerification } from './guestVerification.js';
import { settlePreSendHook } from './preSendHook.js';
import type { AppSettings, AppSettingsPatch } from './types.js';

export const DEFAULT_APP_SETTINGS: AppSettings = {
  maxMessageLength: 2000,
  flood: { burst: 10, perSecond: 2 },
  limits: {},
  allowGuests: true,
  guestsCanWrite: false,
  allowAccounts: true,
  joinHistory: 50,
  replayLimit: 500,
  allowedOrigins: null,
  jwt: null,
  guestRetentionHours: 24,
  maxGuests: 10_000,
  maxReactionEmoji: DEFAULT_MAX_REACTION_EMOJI,
  readReceiptsMaxRoomSize: 0,
  dms: true,
  guestDms: false,
  signIn: DEFAULT_SIGN_IN_LIMITS,
  linkGuestMessages: false,
  usersSetProfile: true,
  reports: DEFAULT_REPORT_SETTINGS,
  filter: DEFAULT_FILTER,
  escalation: DEFAULT_ESCALATION,
  guestVerification: null,
  pageRooms: DEFAULT_PAGE_ROOMS,
  linkPreviews: true,
  attachments: DEFAULT_ATTACHMENTS,
  retentionDays: null,
  erasure: { messages: 'delete' },
  preSendHook: null,
};

/** App 1 lets guests write so that a newcomer can chat at once, and has rooms for pages (the demo's comments). */
export const DEFAULT_APP_1_SETTINGS: AppSettings = {
  ...DEFAULT_APP_SETTINGS,
  guestsCanWrite: true,
  pageRooms: { ...DEFAULT_PAGE_ROOMS, enabled: true },
};

export const DEFAULT_APP_NAME = 'default';
export const LOBBY_ROOM = 'lobby';

export function mergeSettings(base: AppSettings, patch: AppSettingsPatch): AppSettings {
  const { guestVerification, preSendHook, ...rest } = patch;
  const merged: AppSettings = { ...base };
  for (const [key, value] of Object.entries(rest) as [keyof AppSettings, unknown][]) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  if (guestVerification !== undefined) {
    merged.guestVerification = settleVerification(guestVerification, base.guestVerification);
  }
  if (preSendHook !== undefined) merged.preSendHook = settlePreSendHook(preSendHook, base.preSendHook);
  return merged;
}

/** Server origins narrowed by the app's list: an app can only take away origins, never add them. */
export function isOriginAllowed(
  origin: string | undefined,
  server: string[] | null,
  app: string[] | null,
): boolean {
  if (origin === undefined) return true; // non-browser clients send no Origin
  const inList = (list: string[] | null) => list === null || list.includes('*') || list.includes(origin);
  return inList(server) && inList(app);
}

/**
 * The Origin is the server's own (its host and port are the request's Host): a page Parley served itself (the
 * demo page, the admin console and their module scripts). Such a request is same-origin and is treated as one
 * without an Origin, whatever `allowedOrigins` says: the lists say which other sites may use Parley.
 */
export function isOwnOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined || host === undefined || origin === 'null') return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host.toLowerCase();
  } catch {
    return false;
  }
}

export const APP_NAME_MAX = 100;

export function checkAppName(value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > APP_NAME_MAX) {
    throw badField('name', `name must be 1-${APP_NAME_MAX} characters`);
  }
  return value.trim();
}
