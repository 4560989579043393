import { randomUUID } from 'node:crypto';
import type { AppId } from '../core/types.js';

/**
 * The one JSON body of every call Parley makes to a site (the pre-send hook, bot commands): an id the receiver
 * may deduplicate on, what happened, in which app, when, and the happening's own data.
 */
export interface SiteEnvelope<T> {
  id: string;
  type: string;
  appId: AppId;
  createdAt: number;
  data: T;
}

export function siteEnvelope<T>(type: string, appId: AppId, data: T, now: number): SiteEnvelope<T> {
  return { id: randomUUID(), type, appId, createdAt: now, data };
}

/** The JSON of an answer body, or undefined when it is not JSON. */
export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
