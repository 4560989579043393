/** The header, the members panel, the typing line, the composer and the footer. */
import { html, nothing, type TemplateResult } from 'lit';
import type { ClientState, DisconnectedEvent } from '../../../src/client/index.js';
import { typingText, until } from '../format.js';
import { closeText } from '../texts.js';
import { tx } from '../i18n/scope.js';
import { sendIcon } from './icons.js';
import { unreadBadge } from './social.js';

const STATE_TEXT: Record<ClientState, 'connecting' | 'connected' | 'reconnecting' | 'offline'> = {
  connecting: 'connecting',
  open: 'connected',
  reconnecting: 'reconnecting',
  closed: 'offline',
};

export function header(opts: {
  label: string;
  /** `#` before a room's name, `@` before the person of a DM. */
  prefix: '#' | '@';
  topic: string;
  state: ClientState | null;
  /** The server's unread count for the room (the badge). */
  unread: number;
  /** The buttons that open the side panels. */
  tools: TemplateResult | typeof nothing;
  /** Shown on every screen, after the tools: the notifications bell, the launcher's close button. */
  end?: TemplateResult | typeof nothing;
}): TemplateResult {
  return html`<header>
    <div class="title">
      <h2 id="title"><span class="hash" aria-hidden="true">${opts.prefix}</span>${opts.label}</h2>
      ${opts.topic ? html`<p>${opts.topic}</p>` : nothing}
    </div>
    ${unreadBadge(opts.unread)}
    ${
      opts.state
        ? html`<span class="status" role="status" data-state=${opts.state}
              >${tx().t(STATE_TEXT[opts.state])}</span
            >
            ${opts.tools}`
        : nothing
    }
    ${opts.end ?? nothing}
  </header>`;
}

export function typingLine(names: string[]): TemplateResult {
  return html`<div class="typing" aria-hidden=${names.length === 0}>${typingText(names)}</div>`;
}

export interface ComposerHandlers {
  submit(area: HTMLTextAreaElement): void;
  input(area: HTMLTextAreaElement): void;
  editLast(): void;
  blur(): void;
  /** Escape: stop replying; true when there was a reply to stop (the Escape is used up). */
  cancel(): boolean;
}

function autosize(area: HTMLTextAreaElement): void {
  area.style.height = 'auto';
  area.style.height = `${Math.min(area.scrollHeight, 140)}px`;
}

/**
 * `wait`: seconds of slow mode left before the reader may send (0: none); the send button waits with it.
 * `files`: the attach button and the uploads (views/uploads.ts).
 */
export function composer(
  room: string,
  disabled: boolean,
  handlers: ComposerHandlers,
  wait = 0,
  files: { attach: TemplateResult; tray: TemplateResult | typeof nothing } | null = null,
): TemplateResult {
  const keydown = (e: KeyboardEvent) => {
    const area = e.currentTarget as HTMLTextAreaElement;
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      handlers.submit(area);
      autosize(area);
    } else if (e.key === 'Escape') {
      if (handlers.cancel()) e.preventDefault();
    } else if (e.key === 'ArrowUp' && area.value === '') {
      e.preventDefault();
      handlers.editLast();
    }
  };
  return html`<form
    class="composer"
    @submit=${(e: SubmitEvent) => {
      e.preventDefault();
      const area = (e.currentTarget as HTMLFormElement).querySelector('textarea');
      if (area) {
        handlers.submit(area);
        autosize(area);
      }
    }}
  >
    ${files ? html`${files.tray}${files.attach}` : nothing}
    <label class="sr-only" for="composer">${tx().t('messageRoom', { room })}</label>
    <textarea
      id="composer"
      rows="1"
      placeholder=${tx().t('messageRoom', { room })}
      aria-describedby="composer-hint"
      ?disabled=${disabled}
      @keydown=${keydown}
      @input=${(e: Event) => {
        const area = e.currentTarget as HTMLTextAreaElement;
        autosize(area);
        handlers.input(area);
      }}
      @blur=${handlers.blur}
    ></textarea>
    <span class="sr-only" id="composer-hint">${tx().t('composerHint')}</span>
    <button class="send" aria-label=${tx().t('send')} ?disabled=${disabled || wait > 0}>${sendIcon}</button>
    ${wait > 0 ? html`<p class="slow" role="status">${tx().t('slowMode', { seconds: wait })}</p>` : nothing}
  </form>`;
}

export function blockedComposer(opts: {
  mutedUntil: number | null | undefined;
  readOnly: boolean;
  signIn: () => void;
}): TemplateResult {
  if (opts.mutedUntil !== undefined) {
    return html`<div class="blocked" role="status">${until(opts.mutedUntil)}</div>`;
  }
  return html`<div class="blocked" role="status">
    ${tx().t('guestsRead')}
    <button class="link" type="button" @click=${opts.signIn}>${tx().t('signIn')}</button>
    ${tx().t('toWrite')}
  </div>`;
}

/** `signIn`: for a guest, signing in (or creating an account) without leaving the room. */
export function footer(
  name: string | null,
  signOut: (() => void) | null,
  signIn: (() => void) | null = null,
): TemplateResult {
  if (!name) return html``;
  return html`<div class="footer">
    <span>${tx().t('chattingAs')} <strong>${name}</strong></span>
    ${signIn ? html`<button class="link" type="button" @click=${signIn}>${tx().t('keepYourName')}</button>` : nothing}
    ${signOut ? html`<button class="link" type="button" @click=${signOut}>${tx().t('signOut')}</button>` : nothing}
  </div>`;
}

/** Why the chat ended, with a way back where there is one. */
export function closedBanner(closed: DisconnectedEvent, reconnect: () => void): TemplateResult {
  const text = closeText()[closed.reason] ?? tx().t('disconnected', { message: closed.message });
  const canRetry = closed.reason !== 'banned' && closed.reason !== 'app_deleted';
  return html`<div class="banner error" role="alert">
    <span>${text}</span>
    ${canRetry ? html`<button class="link" type="button" @click=${reconnect}>${tx().t('reconnect')}</button>` : nothing}
  </div>`;
}

/** Messages below the fold: a button down to them. */
export function jumpButton(unread: number, jump: () => void): TemplateResult | typeof nothing {
  if (unread <= 0) return nothing;
  return html`<button class="jump" type="button" @click=${jump}>
    ${tx().n('newMessagesBelow', unread)}
  </button>`;
}
