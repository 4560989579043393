/**
 * Page-scoped rooms: one room per page of a site (comments under an article), named after the page's
 * canonical URL and created the first time someone opens it, where the app allows it (docs/protocol.md
 * [proto.rooms.page]). The canonical form makes the ways one page is reached one room: the fragment, the query
 * (but for the parameters an app keeps), default ports, a trailing slash and the case of scheme and host do not
 * count.
 */
import { ParleyError } from './errors.js';
import { badField } from './failures.js';

/** A page room's name: `page:` and 32 hex digits of the canonical URL's SHA-256; ':' keeps the prefix reserved. */
export const PAGE_ROOM_NAME = /^page:[0-9a-f]{32}$/;
export const PAGE_ROOM_PREFIX = 'page:';
/** The longest canonical URL (it is kept as the room's topic, which is bounded the same). */
export const PAGE_URL_MAX = 500;
/** Bounds of the app setting. */
export const PAGE_ROOMS_MAX = 1_000_000;
export const KEEP_QUERY_MAX = 20;

export interface PageRoomSettings {
  /** Whether `rooms.page` may create rooms (existing page rooms stay reachable when turned off). */
  enabled: boolean;
  /** The most page rooms the app holds; past it, new pages get `room_limit`. */
  maxRooms: number;
  /** Query parameters that tell pages apart (for a site whose article is `?id=…`); others are dropped. */
  keepQuery: string[];
}

export const DEFAULT_PAGE_ROOMS: PageRoomSettings = { enabled: false, maxRooms: 10_000, keepQuery: [] };

export function isPageRoomName(name: string): boolean {
  return PAGE_ROOM_NAME.test(name);
}

/**
 * The canonical form of a page's URL: http or https only, no credentials, no fragment, the kept query
 * parameters only (sorted), no trailing slash but the root's. `bad_request` (field `url`) for anything else.
 */
export function canonicalPageUrl(value: unknown, keepQuery: readonly string[]): string {
  if (typeof value !== 'string' || value.length > 4 * PAGE_URL_MAX) throw badUrl();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badUrl();
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) throw badUrl();
  const kept = [...url.searchParams].filter(([key]) => keepQuery.includes(key));
  kept.sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1));
  const query = kept.length > 0 ? `?${new URLSearchParams(kept).toString()}` : '';
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') || '/' : url.pathname;
  const canonical = `${url.protocol}//${url.host}${path}${query}`;
  if (canonical.length > PAGE_URL_MAX) {
    throw badField('url', `url must be at most ${PAGE_URL_MAX} characters without its fragment and query`);
  }
  return canonical;
}

function badUrl(): ParleyError {
  return badField('url', 'url must be an http or https URL without credentials');
}

export const pageRoomsOff = () =>
  new ParleyError('forbidden', 'This app does not create rooms for pages', { field: 'url' });
export const pageRoomLimit = (max: number) =>
  new ParleyError('room_limit', `This app holds at most ${max} page rooms`, { max });
