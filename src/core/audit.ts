import type { AppId } from './types.js';

/**
 * The audit trail of the admin API: who changed what, through which route. Every mutating admin route names
 * its action; the record keeps the route's parameters and body with secrets blanked and the whole held to a
 * bound, so that the trail can be shown to anyone who may read the admin API without leaking a credential.
 */

/** Who made a change: the admin key's identity (one key: `operator`), and the peer address it came from. */
export interface AuditActor {
  actor: string;
  address: string | null;
}

export interface NewAuditEntry extends AuditActor {
  /** Null for server-wide changes (an app created). */
  appId: AppId | null;
  /** The route's action name, e.g. `token.revoke`. */
  action: string;
  /** The route's parameters and body, secrets blanked, bounded (auditChanges). */
  changes: Record<string, unknown>;
  at: number;
}

export interface AuditEntry extends NewAuditEntry {
  id: number;
}

/** The identity of the one admin key. */
export const OPERATOR_ACTOR = 'operator';
/** The longest action name (route names are short; this bounds what a store keeps). */
export const AUDIT_ACTION_MAX = 64;
/** The most characters of JSON `changes` may take; past it the changes are replaced by their field names. */
export const AUDIT_CHANGES_MAX_CHARS = 2048;
/** Longest string value kept in `changes`; longer ones are cut and marked. */
const MAX_STRING = 256;
/** Nesting kept in `changes`; deeper values are replaced. */
const MAX_DEPTH = 4;
/** Array items kept. */
const MAX_ITEMS = 20;
/** Any field whose name contains one of these is a secret: its value is never recorded. */
const SECRET_NAMES = ['password', 'secret', 'token', 'jwt', 'key', 'authorization'];

export const REDACTED = '[redacted]';

function isSecretName(name: string): boolean {
  // An id names a record and proves nothing (`tokenId`).
  if (name.endsWith('Id')) return false;
  const lower = name.toLowerCase();
  return SECRET_NAMES.some((part) => lower.includes(part));
}

function scrub(value: unknown, depth: number): unknown {
  if (typeof value === 'string') {
    return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  }
  if (value === null || typeof value !== 'object') {
    return typeof value === 'number' || typeof value === 'boolean' ? value : null;
  }
  if (depth >= MAX_DEPTH) return '[nested]';
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((item) => scrub(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    out[name] = isSecretName(name) ? REDACTED : scrub(field, depth + 1);
  }
  return out;
}

/**
 * The changes as recorded: secret-named fields blanked (at any depth), long strings cut, deep values replaced,
 * and, when the JSON is still over AUDIT_CHANGES_MAX_CHARS, only the top-level field names kept.
 */
export function auditChanges(input: Record<string, unknown>): Record<string, unknown> {
  const scrubbed = scrub(input, 0) as Record<string, unknown>;
  if (JSON.stringify(scrubbed).length <= AUDIT_CHANGES_MAX_CHARS) return scrubbed;
  return { truncated: true, fields: Object.keys(scrubbed).slice(0, MAX_ITEMS) };
}
