import { ParleyError } from './errors.js';

/**
 * Outgoing webhooks: the event names, the limits of an endpoint and the retry schedule (docs/webhooks.md).
 * What is delivered is decided here; how (the outbox, the dispatcher) is the engine's.
 */

/** The events an endpoint may ask for, besides `*` (all of them) and `moderation.*` (every moderation kind). */
export const WEBHOOK_EVENTS = [
  'message.created',
  'message.edited',
  'message.deleted',
  'reaction.changed',
  'member.joined',
  'member.left',
  'moderation.mute',
  'moderation.unmute',
  'moderation.ban',
  'moderation.unban',
  'moderation.kick',
  'moderation.delete_message',
  'report.created',
  'user.created',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** What an endpoint's `events` may hold: an event name, `*`, or `moderation.*`. */
export const WEBHOOK_EVENT_PATTERNS: readonly string[] = [...WEBHOOK_EVENTS, '*', 'moderation.*'];

/** Endpoints per app: each event is written once per endpoint that wants it, so this bounds the write. */
export const MAX_WEBHOOKS_PER_APP = 10;
export const WEBHOOK_URL_MAX = 2048;
export const WEBHOOK_SECRET_MIN = 16;
export const WEBHOOK_SECRET_MAX = 256;
/** The most of an endpoint's answer read (its body is only kept as the failure's status). */
export const WEBHOOK_RESPONSE_MAX_BYTES = 64 * 1024;
/** A delivery's body: a message is at most the app's maxMessageLength, so this is never reached in practice. */
export const WEBHOOK_PAYLOAD_MAX_BYTES = 256 * 1024;
/** What the admin API shows in the secret's place. */
export const WEBHOOK_SECRET_SHOWN = '[set]';

export interface Webhook {
  id: number;
  appId: number;
  url: string;
  secret: string;
  /** Event names, `*` or `moderation.*`. */
  events: string[];
  /** A disabled endpoint gets no new events; what is already queued for it is still delivered. */
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** Whether an endpoint asking for `patterns` wants an event of `type`. */
export function wantsEvent(patterns: readonly string[], type: string): boolean {
  return patterns.some(
    (p) => p === '*' || p === type || (p === 'moderation.*' && type.startsWith('moderation.')),
  );
}

/** http or https, parsed, within the length bound; a URL with credentials in it is refused too. */
export function isWebhookUrl(value: string): boolean {
  if (value.length > WEBHOOK_URL_MAX) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === ''
  );
}

/** How delivery retries: the number of tries and the first wait (each next wait doubles, up to `maxDelayMs`). */
export interface RetrySchedule {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * The wait before try `attempts + 1` after `attempts` failed tries: base × 2^(attempts−1), capped, then "equal
 * jitter" (between half and all of it) so that endpoints that failed together are not retried together.
 * `random` is in [0, 1).
 */
export function retryDelay(schedule: RetrySchedule, attempts: number, random: number): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const full = Math.min(schedule.baseDelayMs * 2 ** exponent, schedule.maxDelayMs);
  return Math.round(full / 2 + (full / 2) * random);
}

/** The statuses of a delivery, as the admin API shows them. */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed-retrying' | 'dead';

/** One event for one endpoint, as the delivery log shows it. */
export interface WebhookDelivery {
  id: number;
  appId: number;
  webhookId: number;
  eventId: string;
  type: string;
  orderKey: string;
  status: DeliveryStatus;
  attempts: number;
  /** The endpoint's last HTTP status, if it answered. */
  lastStatus: number | null;
  /** Why the last try failed: `timeout`, `unreachable`, `redirect`, `too_large` or `status` (not 2xx). */
  lastFailure: string | null;
  nextAttemptAt: number | null;
  createdAt: number;
  deliveredAt: number | null;
}

/** An endpoint as the admin API shows it: the secret never leaves. */
export type WebhookView = Omit<Webhook, 'secret'> & { secret: typeof WEBHOOK_SECRET_SHOWN };

export interface WebhookInput {
  url: string;
  secret: string;
  events: string[];
  enabled?: boolean;
}

export interface WebhookChanges {
  url?: string;
  /** `[set]` keeps the stored secret. */
  secret?: string;
  events?: string[];
  enabled?: boolean;
}

/** The operator's webhook operations (EngineAdmin.webhooks). */
export interface WebhookAdmin {
  list(appId: number): Promise<WebhookView[]>;
  get(appId: number, id: number): Promise<WebhookView>;
  create(appId: number, input: WebhookInput): Promise<WebhookView>;
  update(appId: number, id: number, changes: WebhookChanges): Promise<WebhookView>;
  remove(appId: number, id: number): Promise<void>;
  /** Newest first; `nextCursor` is the `before` of the next page (null at the end). */
  deliveries(
    appId: number,
    id: number,
    opts: { limit: number; beforeId?: number },
  ): Promise<{ deliveries: WebhookDelivery[]; nextCursor: number | null }>;
  redeliver(appId: number, id: number, deliveryId: number): Promise<WebhookDelivery>;
}

export const webhookNotFound = () => new ParleyError('not_found', 'No such webhook in this app');
export const deliveryNotFound = () => new ParleyError('not_found', 'No such delivery of this webhook');
export const tooManyWebhooks = () =>
  new ParleyError('conflict', `An app has at most ${MAX_WEBHOOKS_PER_APP} webhooks`, {
    max: MAX_WEBHOOKS_PER_APP,
  });
