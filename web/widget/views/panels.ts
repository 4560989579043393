/** The side panels: people online (with DM and block), direct messages, search and the room's pins. */
import { html, nothing, type TemplateResult } from 'lit';
import type { DmView, MessageView, PinView, SearchHit, UserRef } from '../../../src/client/index.js';
import { unreadOf, type ConversationsController, type PanelKind } from '../conversations.js';
import { shortTime } from '../format.js';
import { CONVO_TEXT as T } from '../texts.js';
import { highlighted } from '../highlight.js';
import { avatarView, nameOf, type Person } from './avatar.js';
import { chatIcon, peopleIcon, pinIcon, searchIcon } from './icons.js';
import { unreadBadge } from './social.js';

export interface PanelContext {
  convo: ConversationsController;
  me: UserRef | null;
  online: UserRef[];
  room: string;
}

/** The header's buttons that open the panels. */
export function panelButtons(convo: ConversationsController, online: number, dms: boolean): TemplateResult {
  const button = (kind: PanelKind, label: string, icon: TemplateResult, extra: unknown = nothing) =>
    html`<button
      class="tool ${kind === 'members' ? 'people' : ''}"
      type="button"
      aria-expanded=${convo.panel === kind}
      aria-controls=${kind}
      aria-label=${label}
      title=${label}
      @click=${() => convo.toggle(kind)}
    >
      ${icon}${extra}
    </button>`;
  const unread = convo.dmUnread;
  return html`<div class="tools">
    ${dms ? button('dms', T.openChats(unread), chatIcon, unread > 0 ? html`<span class="dot"></span>` : nothing) : nothing}
    ${button('search', T.search, searchIcon)} ${button('pins', T.pins, pinIcon)}
    ${button('members', T.showOnline(online), peopleIcon, html`<span class="count">${online}</span>`)}
  </div>`;
}

function frame(ctx: PanelContext, kind: PanelKind, title: string, body: TemplateResult): TemplateResult {
  const { convo } = ctx;
  return html`<aside
    class="panel ${kind === 'search' || kind === 'pins' ? 'wide' : ''}"
    id=${kind}
    aria-labelledby="panel-title"
    @keydown=${(e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      convo.close();
    }}
  >
    <div class="p-head">
      <h3 id="panel-title">${title}</h3>
      <button class="x" type="button" aria-label=${T.close} @click=${() => convo.close()}>×</button>
    </div>
    ${convo.error ? html`<p class="p-error" role="alert">${convo.error}</p>` : nothing} ${body}
  </aside>`;
}

function personRow(ctx: PanelContext, user: Person, dms: boolean): TemplateResult {
  const { convo, me } = ctx;
  const name = nameOf(user);
  const mine = me?.id === user.id;
  const blocked = convo.blocked.has(user.id);
  return html`<li>
    ${avatarView(user, 'online')}
    <span class="p-name">${name}${mine ? html` <span class="muted">(${T.you})</span>` : nothing}</span>
    ${user.role !== 'member' && user.role !== 'guest' ? html`<span class="role">${user.role}</span>` : nothing}
    ${
      mine
        ? nothing
        : html`<span class="p-actions">
            ${
              dms && !blocked
                ? html`<button
                    type="button"
                    aria-label=${T.messageUser(name)}
                    ?disabled=${convo.busy}
                    @click=${() => void convo.openDm(user)}
                  >
                    ${T.message}
                  </button>`
                : nothing
            }
            <button
              type="button"
              class=${blocked ? '' : 'danger'}
              aria-label=${blocked ? T.unblockUser(name) : T.blockUser(name)}
              ?disabled=${convo.busy}
              @click=${() => void convo.block(user, !blocked)}
            >
              ${blocked ? T.unblock : T.block}
            </button>
          </span>`
    }
  </li>`;
}

export function membersPanel(ctx: PanelContext, dms: boolean): TemplateResult {
  const sorted = [...ctx.online].sort((a, b) => a.username.localeCompare(b.username));
  return frame(
    ctx,
    'members',
    T.online(sorted.length),
    html`<ul aria-label=${T.peopleOnline} data-first tabindex="-1">
      ${sorted.map((u) => personRow(ctx, u, dms))}
    </ul>`,
  );
}

function dmRow(ctx: PanelContext, dm: DmView): TemplateResult {
  const name = nameOf(dm.user);
  const unread = dm.room.name === ctx.room ? 0 : unreadOf(dm);
  const last = dm.lastMessage;
  return html`<li>
    <button
      class="row ${dm.room.name === ctx.room ? 'current' : ''}"
      type="button"
      data-dm=${dm.user.username}
      aria-current=${dm.room.name === ctx.room ? 'page' : 'false'}
      @click=${() => ctx.convo.goToRoom(dm.room.name)}
    >
      ${avatarView(dm.user)}
      <span class="r-main">
        <span class="p-name">${name}</span>
        <span class="r-last">${last ? last.text : T.noMessages}</span>
      </span>
      ${unreadBadge(unread)}
    </button>
  </li>`;
}

export function dmsPanel(ctx: PanelContext): TemplateResult {
  const { convo } = ctx;
  const home = convo.home;
  const blocked = [...convo.blocked.values()];
  return frame(
    ctx,
    'dms',
    T.chats,
    html`${
      home && home !== ctx.room
        ? html`<button class="link back" type="button" data-first @click=${() => convo.goToRoom(home)}>
            ← ${T.backTo(home)}
          </button>`
        : nothing
    }
    ${
      convo.dms.length === 0
        ? html`<p class="p-empty" data-first tabindex="-1">${convo.busy ? T.loading : T.noChats}</p>`
        : html`<ul class="rows" aria-label=${T.chats} data-first tabindex="-1">
            ${convo.dms.map((dm) => dmRow(ctx, dm))}
          </ul>`
    }
    ${
      blocked.length > 0
        ? html`<h3>${T.blocked}</h3>
            <ul>
              ${blocked.map((u) => personRow(ctx, u, false))}
            </ul>`
        : nothing
    }`,
  );
}

function roomName(ctx: PanelContext, message: MessageView): string {
  const peer = ctx.convo.peerOf(message.room);
  return peer ? `@${nameOf(peer)}` : `#${message.room}`;
}

function messageButton(
  ctx: PanelContext,
  message: MessageView,
  label: string,
  text: TemplateResult | TemplateResult[] | string,
  note: string,
): TemplateResult {
  return html`<li>
    <button
      class="row hit"
      type="button"
      data-hit=${message.id}
      aria-label=${label}
      @click=${() => ctx.convo.goTo(message)}
    >
      ${avatarView(message.author)}
      <span class="r-main">
        <span class="r-meta"><span class="p-name">${nameOf(message.author)}</span> ${note}</span>
        <span class="r-text">${text}</span>
      </span>
    </button>
  </li>`;
}

export function searchPanel(ctx: PanelContext): TemplateResult {
  const { convo } = ctx;
  const hit = (h: SearchHit) =>
    messageButton(
      ctx,
      h.message,
      T.goToHit(nameOf(h.message.author), roomName(ctx, h.message)),
      highlighted(h.highlight),
      `${roomName(ctx, h.message)} · ${shortTime(h.message.createdAt)}`,
    );
  return frame(
    ctx,
    'search',
    T.search,
    html`<form
        class="p-search"
        role="search"
        @submit=${(e: SubmitEvent) => {
          e.preventDefault();
          const input = (e.currentTarget as HTMLFormElement).querySelector('input');
          void convo.search(input?.value ?? '');
        }}
      >
        <label class="sr-only" for="search-q">${T.searchLabel}</label>
        <input
          id="search-q"
          type="search"
          data-first
          maxlength="200"
          .value=${convo.query}
          placeholder=${T.searchLabel}
        />
        <button type="submit" ?disabled=${convo.busy}>${T.searchGo}</button>
      </form>
      <div role="status" class="sr-only">${convo.searched ? T.results(convo.hits.length) : ''}</div>
      ${
        convo.searched && convo.hits.length === 0
          ? html`<p class="p-empty">${T.noHits(convo.query)}</p>`
          : html`<ul class="rows" aria-label=${T.search}>
              ${convo.hits.map(hit)}
            </ul>`
      }
      ${
        convo.cursor !== null && convo.hits.length > 0
          ? html`<button
              class="link more"
              type="button"
              ?disabled=${convo.busy}
              @click=${() => void convo.search(convo.query, true)}
            >
              ${T.more}
            </button>`
          : nothing
      }`,
  );
}

export function pinsPanel(ctx: PanelContext): TemplateResult {
  const { convo } = ctx;
  const pin = (p: PinView) =>
    messageButton(
      ctx,
      p.message,
      T.goToPin(nameOf(p.message.author)),
      p.message.text,
      p.pinnedBy ? T.pinnedBy(nameOf(p.pinnedBy)) : shortTime(p.pinnedAt),
    );
  return frame(
    ctx,
    'pins',
    T.pins,
    convo.pins.length === 0
      ? html`<p class="p-empty" data-first tabindex="-1">${convo.busy ? T.loading : T.noPins}</p>`
      : html`<ul class="rows" aria-label=${T.pins} data-first tabindex="-1">
          ${convo.pins.map(pin)}
        </ul>`,
  );
}

export function panelView(ctx: PanelContext, dms: boolean): TemplateResult | typeof nothing {
  switch (ctx.convo.panel) {
    case 'members':
      return membersPanel(ctx, dms);
    case 'dms':
      return dmsPanel(ctx);
    case 'search':
      return searchPanel(ctx);
    case 'pins':
      return pinsPanel(ctx);
    default:
      return nothing;
  }
}
