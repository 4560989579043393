/**
 * `window.Parley`: what the host page can do with the widgets.
 *
 *   Parley.setToken(token)           // sign every widget in with a token from your backend (null: sign out)
 *   Parley.setTheme('dark')          // 'light' | 'dark' | 'auto'
 *   Parley.mount('#chat', { room: 'support' })
 *   Parley.mount(document.body, { room: 'support', mode: 'launcher' })
 *   document.dispatchEvent(new CustomEvent('parley:token', { detail: { token } }))
 */
import { version } from '../../package.json';
import { setSharedToken } from './element-base.js';
import type { ParleyChatElement } from './element.js';

export type Theme = 'light' | 'dark' | 'auto';

export interface MountOptions {
  app?: number;
  room?: string;
  server?: string;
  token?: string;
  theme?: Theme;
  label?: string;
  /** `launcher`: a floating button that opens the box; absent: the box in the page. */
  mode?: 'inline' | 'launcher';
  /** The launcher's corner: `bottom-right` (default) or `bottom-left`. */
  position?: 'bottom-right' | 'bottom-left';
  /** `sound`, `browser` or `sound,browser`: offered to the reader for mentions and DMs. */
  notify?: string;
  /** The unread count in the tab's title (default: on for the launcher only). */
  titleUnread?: boolean;
  /** The widget's language (`es`, `pt-BR`, …): its `data-lang`. Absent: the page's `<html lang>`. */
  lang?: string;
  /** False: this widget connects on its own instead of sharing one connection with the site's other tabs. */
  shareTabs?: boolean;
}

export interface ParleyApi {
  readonly version: string;
  setToken(token: string | null): void;
  signOut(): void;
  setTheme(theme: Theme): void;
  mount(target: Element | string, options?: MountOptions): ParleyChatElement;
  widgets(): ParleyChatElement[];
}

declare global {
  interface Window {
    Parley?: ParleyApi;
  }
  interface HTMLElementTagNameMap {
    'parley-chat': ParleyChatElement;
  }
}

function widgets(): ParleyChatElement[] {
  return Array.from(document.querySelectorAll('parley-chat'));
}

export function applyTheme(element: HTMLElement, theme: Theme | string | undefined): void {
  if (theme === 'light' || theme === 'dark') element.dataset['theme'] = theme;
  else delete element.dataset['theme'];
}

export function createWidget(options: MountOptions): ParleyChatElement {
  const element = document.createElement('parley-chat');
  if (options.app !== undefined) element.app = options.app;
  if (options.room !== undefined) element.room = options.room;
  if (options.server !== undefined) element.server = options.server;
  if (options.token !== undefined) element.token = options.token;
  if (options.label !== undefined) element.label = options.label;
  if (options.mode === 'launcher') element.mode = 'launcher';
  if (options.position === 'bottom-left') element.position = 'bottom-left';
  if (options.notify !== undefined) element.notify = options.notify;
  if (options.titleUnread !== undefined) element.titleUnread = String(options.titleUnread);
  applyTheme(element, options.theme);
  if (options.lang) element.dataset['lang'] = options.lang;
  if (options.shareTabs === false) element.setAttribute('share-tabs', 'off');
  return element;
}

function tokenOf(detail: unknown): string | null {
  if (typeof detail === 'string') return detail;
  if (typeof detail === 'object' && detail !== null && 'token' in detail) {
    const token = (detail as { token: unknown }).token;
    return typeof token === 'string' ? token : null;
  }
  return null;
}

export function installApi(): ParleyApi {
  const api: ParleyApi = {
    version,
    setToken(token) {
      setSharedToken(token);
      for (const widget of widgets()) widget.setToken(token);
    },
    signOut() {
      setSharedToken(null);
      for (const widget of widgets()) widget.signOut();
    },
    setTheme(theme) {
      for (const widget of widgets()) applyTheme(widget, theme);
    },
    mount(target, options = {}) {
      const parent = typeof target === 'string' ? document.querySelector(target) : target;
      if (!parent) throw new Error(`Parley.mount: no element matches ${String(target)}`);
      return parent.appendChild(createWidget(options));
    },
    widgets,
  };
  window.addEventListener('parley:token', (event) => api.setToken(tokenOf((event as CustomEvent).detail)));
  window.Parley = api;
  return api;
}
