/**
 * The list's per-message behaviour, as a Lit reactive controller: which message is being edited or is asking
 * "delete?", what the actions do, and the rendered (sanitized) bodies, cached per message version.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { MessageView, ParleyClient } from '../../src/client/index.js';
import { mentions, renderRichText } from './rich-text.js';
import type { ChatSession } from './session.js';
import { modTextOf } from './texts.js';
import type { MessageActions } from './views/message.js';
import type { MenuAction } from './views/message-menu.js';

export interface MessageHost extends ReactiveControllerHost, Element {
  readonly session: ChatSession | null;
  readonly shadowRoot: ShadowRoot | null;
}

/** A moderator's action on a message or its author (mutes are for this room). */
function moderate(
  client: ParleyClient,
  room: string,
  message: MessageView,
  action: Exclude<MenuAction, 'delete'>,
): Promise<unknown> {
  const author = message.author?.username ?? '';
  if (action === 'report-spam') return client.report(room, message.id, 'spam');
  if (action === 'report-abuse') return client.report(room, message.id, 'abuse');
  if (action === 'pin') return client.pin(room, message.id);
  if (action === 'mute') return client.mute(author, { room, minutes: 10 });
  return client.ban(author, { minutes: 24 * 60 });
}

export class MessageController implements ReactiveController {
  editingId: number | null = null;
  confirmingId: number | null = null;
  /** The message the emoji picker is open on. */
  pickingId: number | null = null;
  /** The message whose "more" menu is open. */
  menuId: number | null = null;
  /** The message the composer answers. */
  replyingTo: MessageView | null = null;
  /** Edits and deletions replace the MessageView, so a new version renders anew. */
  private bodies = new WeakMap<MessageView, HTMLElement>();

  constructor(private readonly host: MessageHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Forget the rendered bodies (another user: mentions of "me" differ). */
  reset(): void {
    this.bodies = new WeakMap();
    this.editingId = null;
    this.confirmingId = null;
    this.pickingId = null;
    this.menuId = null;
    this.replyingTo = null;
  }

  readonly actions: MessageActions = {
    startEdit: (m) => {
      this.confirmingId = null;
      this.editingId = m.id;
      this.host.requestUpdate();
      this.focus(`#edit-${m.id}`);
    },
    saveEdit: (m, text) => {
      this.editingId = null;
      if (text.trim() && text.trim() !== m.text) void this.host.session?.edit(m.id, text);
      this.host.requestUpdate();
      this.focus('#composer');
    },
    cancelEdit: () => {
      this.editingId = null;
      this.host.requestUpdate();
      this.focus('#composer');
    },
    askDelete: (m) => {
      this.confirmingId = m.id;
      this.host.requestUpdate();
    },
    confirmDelete: (m) => {
      this.confirmingId = null;
      void this.host.session?.remove(m.id);
      this.host.requestUpdate();
      this.focus('#composer');
    },
    cancelDelete: () => {
      this.confirmingId = null;
      this.host.requestUpdate();
    },
    reply: (m) => {
      this.replyingTo = m;
      this.host.requestUpdate();
      this.focus('#composer');
    },
    openPicker: (m) => {
      this.pickingId = m.id;
      this.host.requestUpdate();
      this.focus(`[data-msg-id="${m.id}"] .picker button`);
    },
    closePicker: () => {
      const id = this.pickingId;
      this.pickingId = null;
      this.host.requestUpdate();
      if (id !== null) this.focus(`[data-msg-id="${id}"] .actions button[aria-expanded]`);
    },
    toggleReaction: (m, emoji) => {
      if (this.pickingId === m.id) this.actions.closePicker();
      void this.host.session?.toggleReaction(m.id, emoji);
    },
    toggleMenu: (m) => {
      const opening = this.menuId !== m.id;
      this.menuId = opening ? m.id : null;
      this.host.requestUpdate();
      this.focus(`[data-msg-id="${m.id}"] ${opening ? '[role=menuitem]' : 'button.more'}`);
    },
    runMenu: (m, action) => {
      this.menuId = null;
      if (action === 'delete') return this.actions.askDelete(m);
      const session = this.host.session;
      if (session)
        void session.moderate(modTextOf(this.host).done[action], (client) =>
          moderate(client, session.room, m, action),
        );
      this.host.requestUpdate();
    },
    jumpTo: (id) => {
      const target = this.host.shadowRoot?.querySelector<HTMLElement>(`[data-msg-id="${id}"]`);
      if (!target) return;
      target.scrollIntoView({ block: 'center', behavior: 'smooth' });
      target.focus({ preventScroll: true });
      target.classList.add('flash');
      setTimeout(() => target.classList.remove('flash'), 1600);
    },
  };

  /** Stop replying (the cancel button, Escape in the composer, or the reply was sent). */
  cancelReply(focus: boolean): void {
    if (!this.replyingTo) return;
    this.replyingTo = null;
    this.host.requestUpdate();
    if (focus) this.focus('#composer');
  }

  /** Up in the empty composer: edit one's last message. */
  editLast(): void {
    const session = this.host.session;
    const mine = session?.timeline.messages.filter((m) => session.isOwn(m) && m.deletedAt === null) ?? [];
    const last = mine[mine.length - 1];
    if (last) this.actions.startEdit(last);
  }

  body(message: MessageView): HTMLElement {
    let body = this.bodies.get(message);
    if (!body) {
      body = renderRichText(message.html, this.host.session?.me?.username ?? null);
      this.bodies.set(message, body);
    }
    return body;
  }

  mentionsMe(message: MessageView): boolean {
    const me = this.host.session?.me;
    return (
      !!me &&
      message.author?.id !== me.id &&
      message.deletedAt === null &&
      mentions(message.text, me.username)
    );
  }

  focus(selector: string): void {
    void this.host.updateComplete.then(() =>
      this.host.shadowRoot?.querySelector<HTMLElement>(selector)?.focus(),
    );
  }
}
