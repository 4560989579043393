/** One message of the list, with its inline editor and its own actions. */
import { html, nothing, type TemplateResult } from 'lit';
import type { MessageView } from '../../../src/client/index.js';
import { tx } from '../i18n/scope.js';
import type { TextKey } from '../i18n/en.js';
import { fullTime, hueOf, shortTime } from '../format.js';
import { SOCIAL_TEXT as T } from '../texts.js';
import type { PendingMessage } from '../timeline.js';
import { avatarView, nameOf, type Person } from './avatar.js';
import { messageMenu, type MenuAction } from './message-menu.js';
import { previewView } from './preview.js';
import { chipsView, pickerView, quoteView } from './social.js';
import { attachmentsView } from './attachments.js';

export interface MessageActions {
  startEdit(message: MessageView): void;
  saveEdit(message: MessageView, text: string): void;
  cancelEdit(): void;
  askDelete(message: MessageView): void;
  confirmDelete(message: MessageView): void;
  cancelDelete(): void;
  reply(message: MessageView): void;
  openPicker(message: MessageView): void;
  closePicker(): void;
  /** Add the reader's reaction, or take it back when it is there. */
  toggleReaction(message: MessageView, emoji: string): void;
  /** Scroll to a message of the list (a reply's parent). */
  jumpTo(id: number): void;
  /** Open or close the message's "more" menu (message-menu.ts). */
  toggleMenu(message: MessageView): void;
  runMenu(message: MessageView, action: MenuAction): void;
}

export interface MessageFlags {
  /** First of a group: shows the avatar, the name and the time. */
  first: boolean;
  own: boolean;
  mentioned: boolean;
  editing: boolean;
  confirming: boolean;
  /** The emoji picker is open on this message. */
  picking: boolean;
  /** The message this one replies to is in the list. */
  parentShown: boolean;
  /** The reader may write (reply, react). */
  canWrite: boolean;
  /** The reader moderates (the "more" menu's actions). */
  staff: boolean;
  /** The reader may report it (signed in and allowed to write). */
  canReport: boolean;
  menuOpen: boolean;
  /** The server's address, that file URLs are relative to. */
  fileBase: string;
}

/** What only its author and staff see: why others do not (held, hidden; staff also see shadow). */
const VISIBILITY_TEXT: Record<NonNullable<MessageView['visibility']>, TextKey> = {
  held: 'heldNote',
  hidden: 'hiddenNote',
  shadow: 'shadowNote',
};

function editorKeys(event: KeyboardEvent, message: MessageView, actions: MessageActions): void {
  const area = event.currentTarget as HTMLTextAreaElement;
  if (event.key === 'Escape') {
    event.preventDefault();
    actions.cancelEdit();
  } else if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    actions.saveEdit(message, area.value);
  }
}

function editor(message: MessageView, actions: MessageActions): TemplateResult {
  return html`<div class="editor">
    <label class="sr-only" for="edit-${message.id}">${tx().t('editYourMessage')}</label>
    <textarea
      id="edit-${message.id}"
      .value=${message.text}
      @keydown=${(e: KeyboardEvent) => editorKeys(e, message, actions)}
    ></textarea>
    <div class="row">
      <span>${tx().t('editHint')}</span>
      <button
        class="link"
        type="button"
        @click=${(e: Event) => {
          const area = (e.currentTarget as HTMLElement).closest('.editor')?.querySelector('textarea');
          actions.saveEdit(message, area?.value ?? message.text);
        }}
      >
        ${tx().t('save')}
      </button>
      <button class="link" type="button" @click=${() => actions.cancelEdit()}>${tx().t('cancel')}</button>
    </div>
  </div>`;
}

function messageActions(message: MessageView, flags: MessageFlags, actions: MessageActions): TemplateResult {
  if (flags.confirming) {
    return html`<div class="actions" role="group" aria-label=${tx().t('deleteThis')} style="opacity:1">
      <button class="danger" type="button" @click=${() => actions.confirmDelete(message)}>
        ${tx().t('delete')}
      </button>
      <button type="button" @click=${() => actions.cancelDelete()}>${tx().t('keep')}</button>
    </div>`;
  }
  const name = nameOf(message.author);
  const social = flags.canWrite && message.kind !== 'system';
  return html`<div class="actions" role="group" aria-label=${tx().t('messageActions')}>
    ${
      social
        ? html`<button type="button" aria-label=${T.replyTo(name)} @click=${() => actions.reply(message)}>
              ${T.reply}
            </button>
            <button
              type="button"
              aria-label=${T.reactTo(name)}
              aria-expanded=${flags.picking}
              @click=${() => (flags.picking ? actions.closePicker() : actions.openPicker(message))}
            >
              ${T.react}
            </button>`
        : nothing
    }
    ${
      flags.own
        ? html`<button type="button" @click=${() => actions.startEdit(message)}>${tx().t('edit')}</button>
            <button class="danger" type="button" @click=${() => actions.askDelete(message)}>
              ${tx().t('delete')}
            </button>`
        : nothing
    }
    ${
      message.kind === 'system'
        ? nothing
        : messageMenu(
            message,
            { open: flags.menuOpen, staff: flags.staff, own: flags.own, canReport: flags.canReport },
            { toggle: actions.toggleMenu, run: actions.runMenu },
          )
    }
  </div>`;
}

function content(message: MessageView, body: HTMLElement, name: string): TemplateResult | HTMLElement {
  if (message.deletedAt !== null) return html`<p class="deleted">${tx().t('messageDeleted')}</p>`;
  body.classList.toggle('inline', message.editedAt !== null);
  if (message.kind === 'system') return html`<div class="system">${body}</div>`;
  if (message.kind === 'me') return html`<div class="me-action">* ${name} ${body}</div>`;
  return body;
}

export function messageItem(
  message: MessageView,
  body: HTMLElement,
  flags: MessageFlags,
  actions: MessageActions,
): TemplateResult {
  const name = nameOf(message.author);
  const hue = hueOf(message.author?.username ?? name);
  const when = new Date(message.createdAt).toISOString();
  const classes = [
    'msg',
    flags.first ? 'first' : '',
    flags.own ? 'mine' : '',
    flags.mentioned ? 'mentioned' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const role = message.author?.role;
  const deleted = message.deletedAt !== null;
  return html`<li
    class=${classes}
    tabindex="-1"
    data-msg-id=${message.id}
    data-seq=${message.seq}
    style="--hue:${hue}"
  >
    ${
      flags.first
        ? avatarView(message.author)
        : html`<time class="gutter" datetime=${when} title=${fullTime(message.createdAt)} aria-hidden="true"
            >${shortTime(message.createdAt)}</time
          >`
    }
    <div class="content">
      ${
        flags.first
          ? html`<div class="meta">
              <span class="author">${name}</span>
              ${role && role !== 'member' && role !== 'guest' ? html`<span class="role">${role}</span>` : nothing}
              ${message.author?.bot ? html`<span class="role bot">${tx().t('botBadge')}</span>` : nothing}
              <time datetime=${when} title=${fullTime(message.createdAt)}
                >${shortTime(message.createdAt)}</time
              >
            </div>`
          : html`<span class="sr-only">${name}, ${shortTime(message.createdAt)}: </span>`
      }
      ${message.visibility ? html`<p class="held" role="note">${tx().t(VISIBILITY_TEXT[message.visibility])}</p>` : nothing}
      ${quoteView(message, flags.parentShown, actions.jumpTo)}
      ${flags.editing ? editor(message, actions) : content(message, body, name)}
      ${attachmentsView(message, flags.fileBase)}
      ${
        message.editedAt !== null && !deleted && !flags.editing
          ? html`<span class="edited">${tx().t('edited')}</span>`
          : nothing
      }
      ${message.replyCount > 0 && !deleted ? html`<span class="edited">${T.replies(message.replyCount)}</span>` : nothing}
      ${flags.editing ? nothing : previewView(message)}
      ${chipsView(message, flags.canWrite, (emoji) => actions.toggleReaction(message, emoji))}
      ${
        flags.picking && !deleted
          ? pickerView(
              (emoji) => actions.toggleReaction(message, emoji),
              () => actions.closePicker(),
            )
          : nothing
      }
    </div>
    ${(flags.own || flags.canWrite || flags.staff || flags.canReport) && !deleted && !flags.editing ? messageActions(message, flags, actions) : nothing}
  </li>`;
}

export function pendingItem(
  pending: PendingMessage,
  me: Person | null,
  first: boolean,
  retry: (id: string) => void,
  discard: (id: string) => void,
  quote: TemplateResult | typeof nothing = nothing,
): TemplateResult {
  const name = me ? nameOf(me) : tx().t('you');
  return html`<li
    class="msg mine pending ${first ? 'first' : ''}"
    data-pending=${pending.clientMsgId}
    style="--hue:${hueOf(me?.username ?? 'you')}"
  >
    ${first ? avatarView(me) : html`<span aria-hidden="true"></span>`}
    <div class="content">
      ${
        first
          ? html`<div class="meta"><span class="author">${name}</span><time>${tx().t('sending')}</time></div>`
          : nothing
      }
      ${quote}
      <div class="body"><p>${pending.text}</p></div>
      ${
        pending.error
          ? html`<div class="failed" role="alert">
              <span>${pending.error}</span>
              <button class="link" type="button" @click=${() => retry(pending.clientMsgId)}>
                ${tx().t('retry')}
              </button>
              <button class="link" type="button" @click=${() => discard(pending.clientMsgId)}>
                ${tx().t('discard')}
              </button>
            </div>`
          : nothing
      }
    </div>
  </li>`;
}
