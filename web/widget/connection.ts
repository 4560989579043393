/**
 * The widget's connection. By default the tabs of a site showing one reader share a single connection
 * (`shareAcrossTabs` of the typed client): a reader with eight tabs open holds one socket and one session, not
 * eight. `share-tabs="off"` on the element (`data-share-tabs="off"` on the script tag) gives each tab its own.
 */
import { ParleyClient, type ClientCredentials } from '../../src/client/index.js';
import { textsOf } from './i18n/scope.js';
import type { Texts } from './i18n/texts.js';
import { loadIdentity } from './identity.js';

/** What the session takes from its element besides the room and the credentials. */
export function fromElement(element: HTMLElement): { texts: Texts; shareTabs: boolean } {
  return { texts: textsOf(element), shareTabs: element.getAttribute('share-tabs') !== 'off' };
}

/**
 * Who the tabs share as: the reader this browser remembers, by name, so that the tab that signed in (with a
 * nickname) and the tabs opened since (with the remembered token) are one scope; else whom the credentials name.
 */
function readerScope(server: string, app: number, credentials: ClientCredentials): string | null {
  const stored = loadIdentity(server, app);
  if (!stored || !('token' in credentials) || credentials.token !== stored.token) return null;
  return stored.kind === 'guest'
    ? `guest:${stored.nickname.toLowerCase()}`
    : `user:${stored.username.toLowerCase()}`;
}

export function widgetClient(options: {
  server: string;
  app: number;
  credentials: ClientCredentials;
  shareTabs?: boolean;
}): ParleyClient {
  const scope = readerScope(options.server, options.app, options.credentials);
  return new ParleyClient({
    url: `${options.server}/ws`,
    transport: 'ws',
    app: options.app,
    credentials: options.credentials,
    maxReconnectDelayMs: 10_000,
    shareAcrossTabs: options.shareTabs === false ? false : scope === null ? true : { scope },
  });
}
