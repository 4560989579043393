/**
 * What the tabs of one browser say to each other when they share one connection (tab-share.ts): the messages on
 * the BroadcastChannel, the little of Web Locks and BroadcastChannel the client needs (typed here, since the
 * client compiles without the DOM's types), and the scope that keeps two apps or two users apart.
 */
import type { ErrorBody } from '../protocol/native.js';
import { ParleyClientError } from './errors.js';
import type { ClientErrorCode } from './errors.js';
import { readProp } from './pending.js';
import type { CloseInfo } from './transport.js';

/** The part of `navigator.locks` the client uses. */
export interface LockManagerLike {
  request(name: string, callback: () => Promise<void>): Promise<unknown>;
}

/** The part of a BroadcastChannel the client uses. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  close(): void;
}

export type ChannelConstructorLike = new (name: string) => ChannelLike;

/** `shareAcrossTabs` in its long form: a scope of one's own, and (for tests) the browser's pieces injected. */
export interface TabSharingOptions {
  /** Tabs share only within one scope (default: the server, the app and who the credentials name). */
  scope?: string;
  locks?: LockManagerLike;
  BroadcastChannel?: ChannelConstructorLike;
}

/** An error as it crosses to another tab: a server error keeps its status, a client-side one has none. */
export interface WireError {
  code: string;
  message: string;
  status?: number;
  details?: Record<string, unknown>;
}

/** From a follower's view to the leader. */
export type FollowerMessage =
  | { t: 'hello'; view: string }
  | { t: 'req'; view: string; to: string; id: number; op: string; data: unknown; timeoutMs: number }
  | { t: 'bye'; view: string; to: string };

/** From the leader to the followers: `to` names one view; events and closes go to every view of the leader. */
export type LeaderMessage =
  | { t: 'leader'; from: string }
  | { t: 'welcome'; from: string; to: string }
  | { t: 'refused'; from: string; to: string; error: WireError }
  | { t: 'res'; from: string; to: string; id: number; ok: true; data: unknown }
  | { t: 'res'; from: string; to: string; id: number; ok: false; error: WireError }
  | { t: 'event'; from: string; name: string; data: unknown; except?: string }
  | { t: 'error'; from: string; error: ErrorBody }
  | { t: 'closed'; from: string; info: CloseInfo }
  | { t: 'signed_in'; from: string; request: unknown; result: unknown };

export type TabMessage = FollowerMessage | LeaderMessage;

export function isTabMessage(value: unknown): value is TabMessage {
  return typeof readProp(value, 't') === 'string';
}

export function toWireError(error: ParleyClientError): WireError {
  return {
    code: error.code,
    message: error.message,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.details ? { details: error.details } : {}),
  };
}

export function fromWireError(wire: WireError): ParleyClientError {
  return new ParleyClientError(wire.code as ClientErrorCode, wire.message, {
    ...(wire.status === undefined ? {} : { status: wire.status }),
    ...(wire.details ? { details: wire.details } : {}),
  });
}

/** The browser's Web Locks and BroadcastChannel (or the injected ones); null when either is missing. */
export function tabPieces(
  given: TabSharingOptions,
): { locks: LockManagerLike; Channel: ChannelConstructorLike } | null {
  const locks = given.locks ?? readProp(readProp(globalThis, 'navigator'), 'locks');
  const Channel = given.BroadcastChannel ?? readProp(globalThis, 'BroadcastChannel');
  if (typeof readProp(locks, 'request') !== 'function' || typeof Channel !== 'function') return null;
  return { locks: locks as LockManagerLike, Channel: Channel as ChannelConstructorLike };
}

/** A short, stable, non-secret name for a secret (cyrb53): tokens never appear in a lock or channel name. */
export function nameHash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** The `sub` of a JWT's payload, read without checking it: it only names the scope, the server checks the rest. */
function jwtSubject(jwt: string): string | null {
  const payload = jwt.split('.')[1];
  const decode: unknown = Reflect.get(globalThis, 'atob');
  if (!payload || typeof decode !== 'function') return null;
  try {
    const text: unknown = Reflect.apply(decode, globalThis, [payload.replace(/-/g, '+').replace(/_/g, '/')]);
    const json: unknown = JSON.parse(String(text));
    const sub = readProp(json, 'sub');
    return typeof sub === 'string' || typeof sub === 'number' ? String(sub) : null;
  } catch {
    return null;
  }
}

/**
 * Who the credentials (`ClientCredentials`, read loosely to keep this module below types.ts) name, for the
 * default scope: two users of one origin never share a connection.
 */
export function credentialsScope(credentials: object | null): string {
  const field = (key: string): string | null => {
    const value = readProp(credentials, key);
    return typeof value === 'string' ? value : null;
  };
  const guest = field('guest');
  if (guest !== null) return `guest:${guest.toLowerCase()}`;
  const username = field('username');
  if (username !== null) return `user:${username.toLowerCase()}`;
  const jwt = field('jwt');
  if (jwt !== null) {
    const sub = jwtSubject(jwt);
    return sub === null ? `jwt:${nameHash(jwt)}` : `sub:${sub}`;
  }
  const token = field('token');
  return token === null ? 'anonymous' : `token:${nameHash(token)}`;
}

/** The lock and channel name of a scope: the server and the app are always part of it. */
export function tabChannelName(url: string, app: number, scope: string): string {
  return `parley-tabs:${url}|${app}|${scope}`;
}
