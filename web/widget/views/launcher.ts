/** The launcher's round button with its unread badge, and the header's bell and close buttons. */
import { html, nothing, type TemplateResult } from 'lit';
import type { Notifier } from '../notifier.js';
import { ATTENTION_TEXT as T } from '../texts.js';
import { bellIcon, chatIcon, closeIcon } from './icons.js';

export function launcherButton(open: boolean, unseen: number, toggle: () => void): TemplateResult {
  return html`<button
    class="launcher"
    type="button"
    aria-label=${open ? T.closeChat : T.openChat(unseen)}
    aria-expanded=${open}
    aria-controls="chat"
    @click=${toggle}
  >
    ${open ? closeIcon : chatIcon}
    ${!open && unseen > 0 ? html`<span class="l-badge" aria-hidden="true">${unseen > 99 ? '99+' : unseen}</span>` : nothing}
  </button>`;
}

/** After the header's panel buttons: the notifications bell (where offered) and, in a launcher, "close". */
export function headerEnd(opts: {
  notifier: Notifier | null;
  toggleNotify: () => void;
  close: (() => void) | null;
}): TemplateResult {
  const { notifier, close } = opts;
  const label = notifier?.blocked ? T.notifyBlocked : T.notify;
  return html`${
    notifier?.offered
      ? html`<button
          class="tool bell"
          type="button"
          aria-pressed=${notifier.enabled && !notifier.blocked}
          aria-label=${label}
          title=${label}
          @click=${opts.toggleNotify}
        >
          ${bellIcon}
        </button>`
      : nothing
  }${
    close
      ? html`<button
          class="tool l-close"
          type="button"
          aria-label=${T.closeChat}
          title=${T.closeChat}
          @click=${close}
        >
          ${closeIcon}
        </button>`
      : nothing
  }`;
}
