/**
 * Who the widget signs in as: a token handed over by the host site, else what this browser remembers (a guest's
 * resume token with its nickname, or an account's token), else nobody yet (the welcome screen asks).
 */
import type { User } from '../../src/client/index.js';
import { textsOf } from './i18n/scope.js';
import type { Texts } from './i18n/texts.js';

export type StoredIdentity =
  { kind: 'guest'; nickname: string; token: string } | { kind: 'account'; username: string; token: string };

function storageKey(server: string, app: number): string {
  return `parley:${server}:${app}:identity`;
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // blocked third-party storage, sandboxed frames
  }
}

function isIdentity(value: unknown): value is StoredIdentity {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v['token'] !== 'string') return false;
  if (v['kind'] === 'guest') return typeof v['nickname'] === 'string';
  return v['kind'] === 'account' && typeof v['username'] === 'string';
}

export function loadIdentity(server: string, app: number): StoredIdentity | null {
  const raw = storage()?.getItem(storageKey(server, app));
  if (!raw) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isIdentity(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

export function saveIdentity(server: string, app: number, identity: StoredIdentity): void {
  storage()?.setItem(storageKey(server, app), JSON.stringify(identity));
}

export function clearIdentity(server: string, app: number): void {
  storage()?.removeItem(storageKey(server, app));
}

/** Per-room read marker: the newest seq the user has seen, so that the next visit shows an unread divider. */
export function loadReadSeq(server: string, app: number, room: string): number | null {
  const raw = storage()?.getItem(`parley:${server}:${app}:read:${room}`);
  const value = raw ? Number(raw) : NaN;
  return Number.isSafeInteger(value) ? value : null;
}

export function saveReadSeq(server: string, app: number, room: string, seq: number): void {
  storage()?.setItem(`parley:${server}:${app}:read:${room}`, String(seq));
}

export class AccountError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Parley's own accounts: POST /api/v1/apps/:app/login or /register. */
export async function accountRequest(
  server: string,
  app: number,
  mode: 'login' | 'register',
  username: string,
  password: string,
): Promise<{ token: string; user: User }> {
  let res: Response;
  try {
    res = await fetch(`${server}/api/v1/apps/${app}/${mode}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
  } catch {
    throw new AccountError('network', accountErrorText('network', ''));
  }
  const body: unknown = await res.json().catch(() => null);
  if (res.ok && typeof body === 'object' && body !== null && 'token' in body && 'user' in body) {
    return body as { token: string; user: User };
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof error?.code === 'string' ? error.code : 'internal';
  throw new AccountError(
    code,
    accountErrorText(code, typeof error?.message === 'string' ? error.message : ''),
  );
}

export function accountErrorText(code: string, fallback: string, texts: Texts = textsOf(null)): string {
  switch (code) {
    case 'network':
      return texts.t('couldNotReachServer');
    case 'unauthorized':
      return texts.t('wrongPassword');
    case 'conflict':
      return texts.t('usernameTaken');
    case 'accounts_disabled':
      return texts.t('accountsDisabled');
    case 'banned':
      return texts.t('accountBanned');
    case 'rate_limited':
      return texts.t('tooManyAttempts');
    default:
      return fallback || texts.t('somethingWrong');
  }
}
