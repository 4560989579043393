/** Replies and reactions on a message: the quote above a reply, the reaction chips, the emoji picker, the reply bar. */
import { html, nothing, type TemplateResult } from 'lit';
import type { MessageView, ReactionCount } from '../../../src/client/index.js';
import { pickerEmoji, SOCIAL_TEXT as T } from '../texts.js';
import { nameOf } from './avatar.js';

/** The quoted message above a reply: a button that scrolls to it when it is in the list, plain text otherwise. */
export function quoteView(message: MessageView, shown: boolean, jump: (id: number) => void): TemplateResult {
  const quote = message.replyTo;
  if (!quote) return html``;
  const name = nameOf(quote.author);
  const inner = html`<span class="q-author">${name}</span>
    <span class="q-text ${quote.deleted ? 'deleted' : ''}"
      >${quote.deleted ? T.deletedQuote : quote.excerpt}</span
    >`;
  return shown
    ? html`<button
        class="quote"
        type="button"
        aria-label=${T.goToQuoted(name)}
        @click=${() => jump(quote.id)}
      >
        ${inner}
      </button>`
    : html`<div class="quote" role="note" aria-label=${T.quoted(name)}>${inner}</div>`;
}

function chip(r: ReactionCount, toggle: (emoji: string) => void): TemplateResult {
  const me = r.me === true;
  return html`<button
    class="chip"
    type="button"
    aria-pressed=${me}
    aria-label=${T.chip(r.emoji, r.count, me)}
    @click=${() => toggle(r.emoji)}
  >
    <span aria-hidden="true">${r.emoji}</span><span aria-hidden="true" class="n">${r.count}</span>
  </button>`;
}

/** The reaction chips under a message (read-only when the reader may not react). */
export function chipsView(
  message: MessageView,
  canReact: boolean,
  toggle: (emoji: string) => void,
): TemplateResult | typeof nothing {
  if (message.reactions.length === 0 || message.deletedAt !== null) return nothing;
  return html`<div class="chips" role="group" aria-label=${T.reactions}>
    ${message.reactions.map((r) =>
      canReact
        ? chip(r, toggle)
        : html`<span class="chip" aria-label=${T.chip(r.emoji, r.count, false)}>${r.emoji} ${r.count}</span>`,
    )}
  </div>`;
}

/** The small emoji picker opened from a message's React action; Escape closes it. */
export function pickerView(pick: (emoji: string) => void, close: () => void): TemplateResult {
  return html`<div
    class="picker"
    role="group"
    aria-label=${T.picker}
    @keydown=${(e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      close();
    }}
  >
    ${pickerEmoji().map(
      ([emoji, label]) =>
        html`<button type="button" aria-label=${label} title=${label} @click=${() => pick(emoji)}>
          ${emoji}
        </button>`,
    )}
    <button type="button" class="x" aria-label=${T.closePicker} @click=${close}>×</button>
  </div>`;
}

/** Above the composer while replying: whom to, what, and a way out. */
export function replyBar(message: MessageView, cancel: () => void): TemplateResult {
  const name = nameOf(message.author);
  const excerpt = message.deletedAt !== null ? T.deletedQuote : message.text.slice(0, 120);
  return html`<div class="replybar" role="status">
    <span class="r-text"
      >${T.replyingTo} <strong>${name}</strong>: <span class="r-excerpt">${excerpt}</span></span
    >
    <button type="button" aria-label=${T.cancelReply} @click=${cancel}>×</button>
  </div>`;
}

/** "Unread" in the header: the server's count for the room. */
export function unreadBadge(count: number): TemplateResult | typeof nothing {
  if (count <= 0) return nothing;
  return html`<span class="badge"
    ><span aria-hidden="true">${count > 99 ? '99+' : count}</span
    ><span class="sr-only">${T.unread(count)}</span></span
  >`;
}

/** The quote on a reply still being sent: the parent as the list has it. */
export function pendingQuote(parent: MessageView | undefined): TemplateResult | typeof nothing {
  if (!parent) return nothing;
  const name = nameOf(parent.author);
  const deleted = parent.deletedAt !== null;
  return html`<div class="quote" role="note" aria-label=${T.quoted(name)}>
    <span class="q-author">${name}</span>
    <span class="q-text ${deleted ? 'deleted' : ''}"
      >${deleted ? T.deletedQuote : parent.text.slice(0, 100)}</span
    >
  </div>`;
}
