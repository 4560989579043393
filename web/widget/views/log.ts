/** The message list: history marker, messages grouped by author, the unread divider, gaps, pending sends. */
import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { tx } from '../i18n/scope.js';
import type { MessageView } from '../../../src/client/index.js';
import type { ChatSession } from '../session.js';
import { messageItem, pendingItem, type MessageActions } from './message.js';
import { pendingQuote } from './social.js';

const GROUP_MS = 5 * 60_000;

export interface LogModel {
  session: ChatSession;
  editingId: number | null;
  confirmingId: number | null;
  pickingId: number | null;
  /** The message whose "more" menu is open. */
  menuId: number | null;
  body(message: MessageView): HTMLElement;
  mentionsMe(message: MessageView): boolean;
  actions: MessageActions;
  fillGap(beforeSeq: number): void;
  /** The room as the header names it (`#lobby`, `@alice`). */
  title: string;
}

type Row =
  | { key: string; kind: 'message'; message: MessageView; first: boolean }
  | { key: string; kind: 'unread' }
  | { key: string; kind: 'gap'; beforeSeq: number; missed: number };

function rows(model: LogModel): Row[] {
  const { timeline, dividerSeq } = model.session;
  const out: Row[] = [];
  let previous: MessageView | null = null;
  let dividerShown = false;
  for (const message of timeline.messages) {
    // Hidden after reports while the reader had it: only its author and staff keep it (marked).
    if (message.visibility === 'hidden' && !model.session.isOwn(message) && !model.session.isStaff) continue;
    let breakGroup = false;
    const gap = timeline.gaps.find((g) => g.beforeSeq === message.seq);
    if (gap) {
      out.push({
        key: `gap-${gap.beforeSeq}`,
        kind: 'gap',
        beforeSeq: gap.beforeSeq,
        missed: gap.beforeSeq - gap.afterSeq - 1,
      });
      breakGroup = true;
    }
    if (!dividerShown && dividerSeq !== null && message.seq > dividerSeq && !model.session.isOwn(message)) {
      out.push({ key: 'unread', kind: 'unread' });
      dividerShown = true;
      breakGroup = true;
    }
    const first =
      breakGroup ||
      previous === null ||
      previous.author?.id !== message.author?.id ||
      previous.kind !== 'text' ||
      message.kind !== 'text' ||
      message.createdAt - previous.createdAt > GROUP_MS;
    out.push({ key: `m-${message.id}`, kind: 'message', message, first });
    previous = message;
  }
  return out;
}

function row(model: LogModel, item: Row): TemplateResult {
  if (item.kind === 'unread') {
    return html`<li class="marker unread" role="separator" aria-label=${tx().t('newMessages')}>
      ${tx().t('newMessages')}
    </li>`;
  }
  if (item.kind === 'gap') {
    return html`<li class="marker" role="separator">
      ${tx().n('notLoaded', item.missed)}
      <button class="link" type="button" @click=${() => model.fillGap(item.beforeSeq)}>
        ${tx().t('loadThem')}
      </button>
    </li>`;
  }
  const { message } = item;
  return messageItem(
    message,
    model.body(message),
    {
      first: item.first,
      own: model.session.isOwn(message),
      mentioned: model.mentionsMe(message),
      editing: model.editingId === message.id,
      confirming: model.confirmingId === message.id,
      picking: model.pickingId === message.id,
      parentShown: message.replyTo !== null && model.session.timeline.has(message.replyTo.id),
      canWrite: model.session.canWrite && model.session.joined,
      staff: model.session.isStaff,
      canReport: model.session.canWrite && model.session.me !== null,
      menuOpen: model.menuId === message.id,
      fileBase: model.session.options.server,
    },
    model.actions,
  );
}

export function logView(model: LogModel): TemplateResult {
  const { session } = model;
  const { timeline } = session;
  const last = timeline.messages[timeline.messages.length - 1];
  const lastIsMine = last !== undefined && session.isOwn(last);
  const top = session.hasOlder
    ? html`<button
        class="older"
        type="button"
        ?disabled=${session.loadingOlder}
        @click=${() => void session.loadOlder()}
      >
        ${session.loadingOlder ? tx().t('loading') : tx().t('loadOlder')}
      </button>`
    : session.joined
      ? html`<p class="marker">${tx().t('beginningOf', { room: model.title })}</p>`
      : nothing;
  // The notice's text keeps its white space (pre-wrap): its × must stay on the line, as written.
  // prettier-ignore
  return html`${top}
    <ol aria-label=${tx().t('messages')}>
      ${repeat(
        rows(model),
        (r) => r.key,
        (r) => row(model, r),
      )}
      ${timeline.pending.map((p, i) =>
        pendingItem(
          p,
          session.me,
          i === 0 && !lastIsMine,
          (id) => void session.retry(id),
          (id) => session.discard(id),
          p.replyTo === undefined ? nothing : pendingQuote(timeline.messages.find((m) => m.id === p.replyTo)),
        ),
      )}
    </ol>
    ${
      session.joined && timeline.messages.length === 0 && timeline.pending.length === 0
        ? html`<p class="empty">${tx().t('sayHello')}</p>`
        : nothing
    }
    ${session.notices.map(
      (n) =>
        html`<div class="notice ${n.tone}" role=${n.tone === 'error' ? 'alert' : 'status'}>
          <span>${n.text}</span>
          <button type="button" aria-label=${tx().t('dismiss')} @click=${() => session.dismissNotice(n.id)}>×</button>
        </div>`,
    )}`;
}
