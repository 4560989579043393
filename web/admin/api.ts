/** The HTTP admin API, called with the admin key as a Bearer token. */
import type { App, AppSettings, Ban, ModerationRecord, Mute, User, UserRef } from '../../src/core/types.js';
import type { FilterSettings, FilterVerdict } from '../../src/core/contentFilter.js';
import type { Strike } from '../../src/core/escalation.js';
import type { ReportAction } from '../../src/core/reports.js';
import type { MessageView, RoomView } from '../../src/engine/events.js';
import type { QueueEntryView, QueuePage } from '../../src/engine/reportViews.js';
import type { AuditEntry } from '../../src/core/audit.js';
import type { WebhookDelivery, WebhookInput, WebhookView } from '../../src/core/webhooks.js';
import type { IssuedToken } from '../../src/core/identity.js';
import type { BotCommand, BotView, NewBot } from '../../src/core/bots.js';
import type { BotWithKey } from '../../src/engine/bots.js';
import type { ErasureRecord, RevokedUser, TokenView } from '../../src/engine/api.js';
import type { StatsSample } from '../../src/http/statsSample.js';

export type { App, AppSettings, Ban, MessageView, ModerationRecord, Mute, RoomView, User, UserRef };
export type { FilterSettings, FilterVerdict, QueueEntryView, QueuePage, ReportAction };
export type { AuditEntry, IssuedToken, RevokedUser, StatsSample, TokenView };
export type { WebhookDelivery, WebhookView };
export type { BotCommand, BotView, BotWithKey };

export type Role = User['role'];

export interface StatsPage {
  node: string;
  intervalMs: number;
  samples: StatsSample[];
}

/** A strike as the API lists it: whether it still counts toward the escalation ladder. */
export type StrikeView = Strike & { active: boolean };

/** A search hit: `highlight` is the text HTML-escaped with the matched words in `<mark>`. */
export interface SearchHit {
  message: MessageView;
  highlight: string;
}

export interface Pin {
  message: MessageView;
  pinnedBy: UserRef | null;
  pinnedAt: number;
}

/** A user with the profile fields; a server without them leaves them out. */
export type Profile = User & { displayName?: string | null; avatarUrl?: string | null };

export interface OnlineEntry {
  user: UserRef;
  rooms: string[];
  connections: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Where the API is: beside the console, which is served at `/admin`, or `/chat/admin` under a prefix. */
export function apiBase(pathname: string): string {
  return pathname.replace(/\/admin\/?$/, '');
}

export class AdminApi {
  constructor(
    private readonly key: string,
    private readonly base = apiBase(location.pathname),
  ) {}

  async call<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.key}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.base}/api/v1${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError('network', 0, 'The server cannot be reached.');
    }
    if (res.status === 204) return undefined as T;
    const data: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const error = (data as { error?: { code?: string; message?: string } } | null)?.error;
      throw new ApiError(error?.code ?? 'internal', res.status, error?.message ?? `HTTP ${res.status}`);
    }
    return data as T;
  }

  apps(): Promise<{ apps: App[] }> {
    return this.call('GET', '/apps');
  }

  createApp(name: string): Promise<App> {
    return this.call('POST', '/apps', { name });
  }

  updateApp(app: number, patch: { name?: string; settings?: Partial<AppSettings> }): Promise<App> {
    return this.call('PATCH', `/apps/${app}`, patch);
  }

  rooms(app: number): Promise<{ rooms: RoomView[] }> {
    return this.call('GET', `/apps/${app}/rooms`);
  }

  createRoom(app: number, name: string, visibility: 'public' | 'private', topic: string): Promise<RoomView> {
    return this.call('POST', `/apps/${app}/rooms`, { name, visibility, ...(topic ? { topic } : {}) });
  }

  deleteRoom(app: number, room: string): Promise<void> {
    return this.call('DELETE', `/apps/${app}/rooms/${encodeURIComponent(room)}`);
  }

  messages(
    app: number,
    room: string,
    before?: number,
  ): Promise<{ messages: MessageView[]; nextCursor: number | null }> {
    const query = before === undefined ? '?limit=50' : `?limit=50&before=${before}`;
    return this.call('GET', `/apps/${app}/rooms/${encodeURIComponent(room)}/messages${query}`);
  }

  deleteMessage(app: number, room: string, id: number): Promise<{ message: MessageView }> {
    return this.call('DELETE', `/apps/${app}/rooms/${encodeURIComponent(room)}/messages/${id}`);
  }

  online(app: number): Promise<{ online: OnlineEntry[] }> {
    return this.call('GET', `/apps/${app}/online`);
  }

  users(app: number): Promise<{ users: User[]; nextCursor: number | null }> {
    return this.call('GET', `/apps/${app}/users?limit=1000`);
  }

  createUser(app: number, input: { username: string; password?: string; role?: Role }): Promise<User> {
    return this.call('POST', `/apps/${app}/users`, input);
  }

  setRole(app: number, username: string, role: Role): Promise<User> {
    return this.call('PATCH', `/apps/${app}/users/${encodeURIComponent(username)}`, { role });
  }

  issueToken(app: number, username: string, ttlSeconds?: number): Promise<IssuedToken> {
    return this.call('POST', `/apps/${app}/tokens`, {
      username,
      ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
    });
  }

  tokens(app: number, username: string): Promise<{ tokens: TokenView[] }> {
    return this.call('GET', `/apps/${app}/users/${encodeURIComponent(username)}/tokens`);
  }

  revokeToken(app: number, tokenId: string): Promise<void> {
    return this.call('DELETE', `/apps/${app}/tokens/${encodeURIComponent(tokenId)}`);
  }

  /** The user's data export (GET …/users/:username/export) as a file to save. */
  async exportUser(app: number, username: string): Promise<Blob> {
    const res = await fetch(`${this.base}/api/v1/apps/${app}/users/${encodeURIComponent(username)}/export`, {
      headers: { authorization: `Bearer ${this.key}` },
    }).catch(() => {
      throw new ApiError('network', 0, 'The server cannot be reached.');
    });
    if (!res.ok) {
      const data = (await res.json().catch(() => null)) as {
        error?: { code?: string; message?: string };
      } | null;
      throw new ApiError(
        data?.error?.code ?? 'internal',
        res.status,
        data?.error?.message ?? `HTTP ${res.status}`,
      );
    }
    return res.blob();
  }

  /** Erases the user (DELETE …/users/:username); answers the record kept. */
  eraseUser(app: number, username: string): Promise<ErasureRecord> {
    return this.call('DELETE', `/apps/${app}/users/${encodeURIComponent(username)}`);
  }

  /** A room's own retention: days, null forever, 'app' the app's. */
  setRoomRetention(app: number, room: string, retentionDays: number | null | 'app'): Promise<RoomView> {
    return this.call('PATCH', `/apps/${app}/rooms/${encodeURIComponent(room)}`, { retentionDays });
  }

  revokeUser(app: number, username: string): Promise<RevokedUser> {
    return this.call('POST', `/apps/${app}/users/${encodeURIComponent(username)}/revoke`);
  }

  /** The audit trail of one app, or (null) of the whole server. */
  audit(app: number | null, before?: number): Promise<{ entries: AuditEntry[]; nextCursor: number | null }> {
    const query = `?limit=50${before === undefined ? '' : `&before=${before}`}`;
    return this.call('GET', `${app === null ? '' : `/apps/${app}`}/audit${query}`);
  }

  webhooks(app: number): Promise<{ webhooks: WebhookView[] }> {
    return this.call('GET', `/apps/${app}/webhooks`);
  }

  createWebhook(app: number, input: WebhookInput): Promise<WebhookView> {
    return this.call('POST', `/apps/${app}/webhooks`, input);
  }

  /** A secret left out keeps the stored one. */
  updateWebhook(app: number, id: number, changes: Partial<WebhookInput>): Promise<WebhookView> {
    return this.call('PATCH', `/apps/${app}/webhooks/${id}`, changes);
  }

  deleteWebhook(app: number, id: number): Promise<void> {
    return this.call('DELETE', `/apps/${app}/webhooks/${id}`);
  }

  webhookDeliveries(
    app: number,
    id: number,
    before?: number,
  ): Promise<{ deliveries: WebhookDelivery[]; nextCursor: number | null }> {
    const query = `?limit=50${before === undefined ? '' : `&before=${before}`}`;
    return this.call('GET', `/apps/${app}/webhooks/${id}/deliveries${query}`);
  }

  redeliver(app: number, id: number, deliveryId: number): Promise<WebhookDelivery> {
    return this.call('POST', `/apps/${app}/webhooks/${id}/deliveries/${deliveryId}/redeliver`);
  }

  bots(app: number): Promise<{ bots: BotView[] }> {
    return this.call('GET', `/apps/${app}/bots`);
  }

  createBot(app: number, input: NewBot): Promise<BotWithKey> {
    return this.call('POST', `/apps/${app}/bots`, input);
  }

  /** A new key for the bot; the old one stops working at once. */
  rotateBotKey(app: number, username: string): Promise<BotWithKey> {
    return this.call('POST', `/apps/${app}/bots/${encodeURIComponent(username)}/key`);
  }

  deleteBot(app: number, username: string): Promise<BotView> {
    return this.call('DELETE', `/apps/${app}/bots/${encodeURIComponent(username)}`);
  }

  stats(since?: number): Promise<StatsPage> {
    return this.call('GET', `/admin/stats${since === undefined ? '' : `?since=${since}`}`);
  }

  updateProfile(
    app: number,
    username: string,
    profile: { displayName: string | null; avatarUrl: string | null },
  ): Promise<Profile> {
    return this.call('PATCH', `/apps/${app}/users/${encodeURIComponent(username)}`, profile);
  }

  search(
    app: number,
    q: string,
    opts: { room?: string; before?: number },
  ): Promise<{ hits: SearchHit[]; nextCursor: number | null }> {
    const query = new URLSearchParams({ q, limit: '50' });
    if (opts.room) query.set('room', opts.room);
    if (opts.before !== undefined) query.set('before', String(opts.before));
    return this.call('GET', `/apps/${app}/search?${query.toString()}`);
  }

  pins(app: number, room: string): Promise<{ pins: Pin[] }> {
    return this.call('GET', `/apps/${app}/rooms/${encodeURIComponent(room)}/pins`);
  }

  mutes(app: number): Promise<{ mutes: Mute[] }> {
    return this.call('GET', `/apps/${app}/mutes`);
  }

  bans(app: number): Promise<{ bans: Ban[] }> {
    return this.call('GET', `/apps/${app}/bans`);
  }

  mute(
    app: number,
    username: string,
    opts: { minutes?: number; room?: string; reason?: string },
  ): Promise<Mute> {
    return this.call('POST', `/apps/${app}/mutes`, { username, ...opts });
  }

  unmute(app: number, username: string, room?: string): Promise<void> {
    const query = room ? `?room=${encodeURIComponent(room)}` : '';
    return this.call('DELETE', `/apps/${app}/mutes/${encodeURIComponent(username)}${query}`);
  }

  ban(app: number, username: string, opts: { minutes?: number; reason?: string }): Promise<Ban> {
    return this.call('POST', `/apps/${app}/bans`, { username, ...opts });
  }

  unban(app: number, username: string): Promise<void> {
    return this.call('DELETE', `/apps/${app}/bans/${encodeURIComponent(username)}`);
  }

  kick(app: number, username: string, reason?: string): Promise<void> {
    return this.call('POST', `/apps/${app}/kicks`, { username, ...(reason ? { reason } : {}) });
  }

  patchRoom(app: number, room: string, patch: { slowModeSeconds?: number }): Promise<RoomView> {
    return this.call('PATCH', `/apps/${app}/rooms/${encodeURIComponent(room)}`, patch);
  }

  reports(
    app: number,
    status: 'open' | 'resolved',
    before?: number,
    filter: { q?: string; room?: string; reason?: string } = {},
  ): Promise<QueuePage> {
    const query = new URLSearchParams({ status, limit: '20' });
    if (before !== undefined) query.set('before', String(before));
    for (const [key, value] of Object.entries(filter)) if (value) query.set(key, value);
    return this.call('GET', `/apps/${app}/reports?${query.toString()}`);
  }

  resolveReport(
    app: number,
    messageId: number,
    input: { action: ReportAction; minutes?: number; reason?: string },
  ): Promise<QueueEntryView> {
    return this.call('POST', `/apps/${app}/reports/${messageId}/resolve`, input);
  }

  testFilter(app: number, text: string, username?: string): Promise<FilterVerdict> {
    return this.call('POST', `/apps/${app}/filter/test`, { text, ...(username ? { username } : {}) });
  }

  strikes(app: number, username: string): Promise<{ strikes: StrikeView[] }> {
    return this.call('GET', `/apps/${app}/users/${encodeURIComponent(username)}/strikes`);
  }

  shadowMute(app: number, username: string, opts: { minutes?: number; reason?: string }): Promise<Ban> {
    return this.call('POST', `/apps/${app}/shadow-mutes`, { username, ...opts });
  }

  unshadowMute(app: number, username: string): Promise<void> {
    return this.call('DELETE', `/apps/${app}/shadow-mutes/${encodeURIComponent(username)}`);
  }

  moderation(
    app: number,
    before?: number,
  ): Promise<{ records: ModerationRecord[]; nextCursor: number | null }> {
    return this.call(
      'GET',
      `/apps/${app}/moderation?limit=100${before === undefined ? '' : `&before=${before}`}`,
    );
  }
}

const KEY = 'parley.adminKey';

export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeKey(key: string | null): void {
  try {
    if (key === null) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, key);
  } catch {
    // private mode: the key lives only in memory
  }
}

export function when(ms: number | null): string {
  return ms === null ? '—' : new Date(ms).toLocaleString();
}
