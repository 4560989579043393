/**
 * A message's "more" menu: reporting it (anyone signed in who may write), and what moderators do to a message and its author (pin, delete, mute, ban) and what
 * anyone signed in does to someone else's message (report). Keyboard: the button opens it, Escape closes it.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { MessageView } from '../../../src/client/index.js';
import { MOD_TEXT as T } from '../texts.js';

/** What a menu item does; the controller (message-controller.ts) runs it. */
export type MenuAction = 'report-spam' | 'report-abuse' | 'pin' | 'delete' | 'mute' | 'ban';

export interface MenuModel {
  open: boolean;
  /** The reader is a moderator (or above) of the app. */
  staff: boolean;
  own: boolean;
  /** The reader may report others' messages (signed in, allowed to write). */
  canReport: boolean;
}

export interface MenuHandlers {
  toggle(message: MessageView): void;
  run(message: MessageView, action: MenuAction): void;
}

function items(message: MessageView, model: MenuModel): MenuAction[] {
  const report: MenuAction[] = model.canReport && !model.own ? ['report-spam', 'report-abuse'] : [];
  if (!model.staff) return report;
  const authorIsStaff = message.author !== null && !['member', 'guest'].includes(message.author.role);
  const onAuthor: MenuAction[] = model.own || message.author === null || authorIsStaff ? [] : ['mute', 'ban'];
  return [...report, 'pin', ...(model.own ? [] : (['delete'] as MenuAction[])), ...onAuthor];
}

/** True when the message has a menu for this reader. */
export function hasMenu(message: MessageView, model: MenuModel): boolean {
  return items(message, model).length > 0;
}

export function messageMenu(message: MessageView, model: MenuModel, handlers: MenuHandlers): TemplateResult {
  const list = items(message, model);
  if (list.length === 0) return html``;
  return html`<button
      type="button"
      class="more"
      aria-haspopup="menu"
      aria-expanded=${model.open}
      aria-label=${T.more}
      @click=${() => handlers.toggle(message)}
    >
      ⋯
    </button>
    ${
      model.open
        ? html`<div
            class="menu"
            role="menu"
            aria-label=${T.more}
            @keydown=${(e: KeyboardEvent) => {
              if (e.key !== 'Escape') return;
              e.stopPropagation();
              handlers.toggle(message);
            }}
          >
            ${list.map(
              (action) =>
                html`<button
                  type="button"
                  role="menuitem"
                  class=${action === 'ban' || action === 'delete' ? 'danger' : ''}
                  @click=${() => handlers.run(message, action)}
                >
                  ${T[action]}
                </button>`,
            )}
          </div>`
        : nothing
    }`;
}
