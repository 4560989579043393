/**
 * Who someone is on screen: the display name (else the username) and the avatar (an https image, else the
 * initial on the user's colour). The profile fields are optional on UserRef: servers without them send none.
 */
import { html, type TemplateResult } from 'lit';
import type { UserRef } from '../../../src/client/index.js';
import { hueOf, initialOf } from '../format.js';
import { CONVO_TEXT as T } from '../texts.js';
import { tx } from '../i18n/scope.js';

export type Person = UserRef & { displayName?: string; avatarUrl?: string };

export function nameOf(user: Person | null | undefined): string {
  if (!user) return tx().t('system');
  return user.displayName?.trim() || user.username;
}

/** Only https images: no tracking over plain http, no `javascript:` or `data:` tricks. */
export function avatarUrlOf(user: Person | null | undefined): string | null {
  const url = user?.avatarUrl;
  if (!url) return null;
  try {
    return new URL(url).protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/** The image hides itself when it fails to load, and the initial under it shows. */
function hide(event: Event): void {
  (event.currentTarget as HTMLImageElement).hidden = true;
}

export function avatarView(user: Person | null | undefined, extra = ''): TemplateResult {
  const name = nameOf(user);
  const url = avatarUrlOf(user);
  const hue = hueOf(user?.username ?? name);
  if (!url) {
    return html`<span class="avatar ${extra}" style="--hue:${hue}" aria-hidden="true"
      >${initialOf(name)}</span
    >`;
  }
  return html`<span class="avatar ${extra}" style="--hue:${hue}"
    ><span aria-hidden="true">${initialOf(name)}</span
    ><img
      src=${url}
      alt=${T.avatarOf(name)}
      referrerpolicy="no-referrer"
      loading="lazy"
      decoding="async"
      @error=${hide}
  /></span>`;
}
