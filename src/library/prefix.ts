/**
 * Library mode's path prefix: which requests of the host server are Parley's, and the URL Parley sees for them
 * (the prefix taken off, so that every route, gateway path and socket.io path is the same as when Parley runs
 * on its own).
 */
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';

/** `/chat`, `/support/chat`: one or more path segments of URL-safe characters, no trailing slash. */
export const prefixSchema = z
  .string()
  .transform((p) => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p))
  .pipe(z.string().regex(/^(\/[A-Za-z0-9._~-]+)+$/))
  .refine((p) => !p.split('/').some((segment) => segment === '.' || segment === '..'));

export const PREFIX_EXPECTED = 'a path such as /chat (segments of letters, digits and . _ ~ -)';

/** Where a request of the host server goes. */
export type PrefixMatch =
  | { kind: 'outside' }
  /** The prefix itself without its slash: the pages' relative links need `/chat/`, so the browser is sent there. */
  | { kind: 'redirect'; location: string }
  /** Parley's: `url` is the request's URL without the prefix (`/chat/ws?app=1` → `/ws?app=1`). */
  | { kind: 'inside'; url: string };

/**
 * The URL the request arrived with. Express and connect rewrite `req.url` when a middleware is mounted on a
 * path and keep the whole one in `originalUrl`; Parley matches the whole one wherever its handler is mounted.
 */
export function requestUrl(req: IncomingMessage): string {
  const original = (req as IncomingMessage & { originalUrl?: unknown }).originalUrl;
  return typeof original === 'string' ? original : (req.url ?? '/');
}

export function matchPrefix(url: string, prefix: string): PrefixMatch {
  if (!url.startsWith(prefix)) return { kind: 'outside' };
  const rest = url.slice(prefix.length);
  if (rest === '' || rest.startsWith('?')) return { kind: 'redirect', location: `${prefix}/${rest}` };
  // `/chatroom` is not under `/chat`: the prefix must end at a path segment's end.
  if (!rest.startsWith('/')) return { kind: 'outside' };
  return { kind: 'inside', url: rest };
}
