/**
 * widget.js: one script tag gives any page a chat box.
 *
 *   <script src="https://chat.example.com/widget.js" data-app="1" data-room="lobby" async></script>
 *
 * The box appears where the tag is (or inside `data-target`); `<parley-chat room="…">` elements anywhere in
 * the page work too. See the README's "Web widget" section for the attributes, the JS API and theming.
 */
import { createWidget, installApi, type MountOptions, type Theme } from './api.js';
import { ParleyChatElement, setDefaultServer } from './element.js';

function optionsFrom(script: HTMLScriptElement): MountOptions {
  const data = script.dataset;
  const options: MountOptions = {};
  if (data['app'] && /^\d+$/.test(data['app'])) options.app = Number(data['app']);
  if (data['room']) options.room = data['room'];
  if (data['server']) options.server = data['server'];
  if (data['token']) options.token = data['token'];
  if (data['label']) options.label = data['label'];
  if (data['theme']) options.theme = data['theme'] as Theme;
  if (data['mode'] === 'launcher') options.mode = 'launcher';
  if (data['position'] === 'bottom-left') options.position = 'bottom-left';
  if (data['notify']) options.notify = data['notify'];
  if (data['titleUnread'] === 'true' || data['titleUnread'] === 'false') {
    options.titleUnread = data['titleUnread'] === 'true';
  }
  if (data['lang']) options.lang = data['lang'];
  if (data['shareTabs'] === 'off') options.shareTabs = false;
  return options;
}

function place(script: HTMLScriptElement, element: HTMLElement): void {
  const selector = script.dataset['target'];
  const target = selector ? document.querySelector(selector) : null;
  if (target) target.appendChild(element);
  // A launcher floats over the page: in the body, out of reach of a container's transform or overflow.
  else if (script.dataset['mode'] === 'launcher') document.body.appendChild(element);
  else if (script.parentElement && script.parentElement !== document.head) script.after(element);
  else document.body.appendChild(element);
}

function boot(): void {
  const script = document.currentScript instanceof HTMLScriptElement ? document.currentScript : null;
  // The directory widget.js was loaded from: the origin, or the origin and library mode's prefix (`/chat`).
  if (script?.src) setDefaultServer(new URL('.', new URL(script.src, location.href)).href);
  if (!customElements.get('parley-chat')) customElements.define('parley-chat', ParleyChatElement);
  if (window.Parley) return; // loaded twice: the first copy owns the page
  const api = installApi();
  // Announced once the box from the script tag (if any) is in the page, so that the page can style it.
  const announce = () => window.dispatchEvent(new CustomEvent('parley:loaded', { detail: api }));
  if (!script || (script.dataset['room'] === undefined && script.dataset['app'] === undefined)) {
    announce();
    return;
  }
  const element = createWidget(optionsFrom(script));
  const mount = () => {
    place(script, element);
    announce();
  };
  const inHead = !script.parentElement || script.parentElement === document.head;
  const later = inHead || script.dataset['target'] || script.dataset['mode'] === 'launcher';
  if (document.readyState === 'loading' && later) {
    document.addEventListener('DOMContentLoaded', mount, { once: true });
  } else {
    mount();
  }
}

boot();
