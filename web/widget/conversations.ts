/**
 * Direct messages, blocking, search and pins, as a Lit reactive controller: which side panel is open, what it
 * lists, and going to a message (in this room, or in another one the widget switches to first).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import {
  ParleyClientError,
  type DmView,
  type MessageView,
  type PinView,
  type SearchHit,
  type UserRef,
} from '../../src/client/index.js';
import { describe, type ChatSession } from './session.js';
import { convoTextOf, dmErrorText } from './texts.js';
import { textsOf } from './i18n/scope.js';
import type { Person } from './views/avatar.js';

export type PanelKind = 'members' | 'dms' | 'search' | 'pins';

export interface ConversationsHost extends ReactiveControllerHost, Element {
  readonly session: ChatSession | null;
  readonly shadowRoot: ShadowRoot | null;
  /** Leave this room for another one (a DM, the room of a search hit). */
  switchRoom(room: string): void;
  /** Scroll to a message of the list and flash it. */
  jumpTo(id: number): void;
}

/** How many pages of history to go back through for a search hit or a pin before giving up. */
const MAX_PAGES = 20;

/**
 * A DM's unread count. Without one the reader has no read marker there: they never opened the room nor wrote in
 * it (either sets the marker), so every message in it is the other member's and unread.
 */
export function unreadOf(dm: DmView): number {
  return dm.room.unread ?? dm.lastSeq;
}

export class ConversationsController implements ReactiveController {
  panel: PanelKind | null = null;
  dms: DmView[] = [];
  readonly blocked = new Map<number, UserRef>();
  /** The other member of each DM room met so far: the room's title. */
  readonly peers = new Map<string, Person>();
  query = '';
  hits: SearchHit[] = [];
  cursor: number | null = null;
  searched = false;
  pins: PinView[] = [];
  busy = false;
  error = '';
  /** What a sighted user would notice on its own (a block took effect), for screen readers. */
  notice = '';
  /** The room the widget was opened on: where "back" goes from a DM. */
  home: string | null = null;
  private target: { room: string; id: number; seq: number; pages: number } | null = null;
  private watched: ChatSession | null = null;
  private off: (() => void)[] = [];
  /** Lists asked for so far: an answer overtaken by a newer request is dropped. */
  private dmsAsked = 0;

  constructor(private readonly host: ConversationsHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.unwatch();
  }

  hostUpdated(): void {
    const session = this.host.session;
    if (!session?.joined) return;
    this.home ??= session.room;
    if (this.watched !== session) this.watch(session);
    if (this.target?.room === session.room) this.followTarget(session);
  }

  get dmUnread(): number {
    const here = this.host.session?.room;
    return this.dms.reduce((sum, dm) => sum + (dm.room.name === here ? 0 : unreadOf(dm)), 0);
  }

  /** The DM peer when the room is a DM. */
  peerOf(room: string): Person | undefined {
    return this.peers.get(room);
  }

  toggle(panel: PanelKind): void {
    const opening = this.panel !== panel;
    this.panel = opening ? panel : null;
    this.error = '';
    this.host.requestUpdate();
    if (!opening) {
      this.focus(`[aria-controls="${panel}"]`);
      return;
    }
    if (panel === 'dms') void this.loadDms();
    if (panel === 'pins') void this.loadPins();
    this.focus('.panel [data-first]');
  }

  close(): void {
    const panel = this.panel;
    if (!panel) return;
    this.panel = null;
    this.host.requestUpdate();
    this.focus(`[aria-controls="${panel}"]`);
  }

  async openDm(user: Person): Promise<void> {
    const room = await this.attempt(
      async (client) => (await client.openDm(user.username)).name,
      (code, fallback) => dmErrorText(code, fallback, textsOf(this.host)),
    );
    if (room === undefined) return;
    this.peers.set(room, user);
    this.panel = null;
    this.host.switchRoom(room);
  }

  goToRoom(room: string): void {
    this.panel = null;
    if (room !== this.host.session?.room) this.host.switchRoom(room);
    else this.host.requestUpdate();
  }

  async block(user: UserRef, on: boolean): Promise<void> {
    const done = await this.attempt(async (client) => {
      if (on) await client.block(user.username);
      else await client.unblock(user.username);
      return true;
    });
    if (!done) return;
    if (on) this.blocked.set(user.id, user);
    else this.blocked.delete(user.id);
    this.notice = on
      ? convoTextOf(this.host).blockedNow(user.username)
      : convoTextOf(this.host).unblockedNow(user.username);
    this.host.requestUpdate();
  }

  async search(query: string, more = false): Promise<void> {
    const q = query.trim();
    if (!q) return;
    const before = more && this.cursor !== null ? { before: this.cursor } : {};
    const page = await this.attempt((client) => client.search(q, { limit: 20, ...before }));
    if (!page) return;
    this.query = q;
    this.hits = more ? [...this.hits, ...page.hits] : page.hits;
    this.cursor = page.nextCursor;
    this.searched = true;
    this.host.requestUpdate();
  }

  /** Go to a message: in this room at once (paging back to it), else after switching rooms. */
  goTo(message: MessageView): void {
    this.panel = null;
    this.error = '';
    this.target = { room: message.room, id: message.id, seq: message.seq, pages: 0 };
    if (message.room === this.host.session?.room) this.host.requestUpdate();
    else this.host.switchRoom(message.room);
  }

  // ------------------------------------------------------------------ internals

  private async loadDms(): Promise<void> {
    const asked = ++this.dmsAsked;
    const dms = await this.attempt((client) => client.listDms());
    if (!dms || asked !== this.dmsAsked) return;
    this.dms = dms;
    for (const dm of dms) this.peers.set(dm.room.name, dm.user);
    this.host.requestUpdate();
  }

  /** A DM got a message while the reader is elsewhere: one more unread, newest first; unknown DMs reload. */
  private dmWritten(roomId: number, message: MessageView): void {
    const dm = this.dms.find((d) => d.room.id === roomId);
    if (!dm) {
      void this.loadDms();
      return;
    }
    // Without a read marker every message there counts (unreadOf): the new lastSeq says it.
    const unread = dm.room.unread === undefined ? {} : { unread: dm.room.unread + 1 };
    const updated: DmView = {
      ...dm,
      room: { ...dm.room, ...unread },
      lastSeq: message.seq,
      lastMessage: message,
    };
    this.dms = [updated, ...this.dms.filter((d) => d !== dm)];
    this.host.requestUpdate();
  }

  private async loadPins(): Promise<void> {
    const session = this.host.session;
    if (!session) return;
    const pins = await this.attempt((client) => client.pins(session.room));
    if (!pins) return;
    this.pins = pins;
    this.host.requestUpdate();
  }

  /** Runs a request on the session's client; a failure becomes the panel's error line. */
  private async attempt<T>(
    request: (client: ChatSession['client']) => Promise<T>,
    explain: (code: string, fallback: string) => string = (_code, fallback) => fallback,
  ): Promise<T | undefined> {
    const session = this.host.session;
    if (!session) return undefined;
    this.busy = true;
    this.error = '';
    this.host.requestUpdate();
    try {
      return await request(session.client);
    } catch (err) {
      const code = err instanceof ParleyClientError ? err.code : '';
      this.error = explain(code, describe(err));
      return undefined;
    } finally {
      this.busy = false;
      this.host.requestUpdate();
    }
  }

  /** A new session (sign-in, another room): hear what changes the panels, and learn the blocks and DMs. */
  private watch(session: ChatSession): void {
    this.unwatch();
    this.watched = session;
    const client = session.client;
    const refreshPins = ({ room }: { room: { name: string } }) => {
      if (room.name === session.room && this.panel === 'pins') void this.loadPins();
    };
    this.off.push(
      client.on('block_changed', ({ user, blocked }) => {
        if (blocked) this.blocked.set(user.id, user);
        else this.blocked.delete(user.id);
        this.host.requestUpdate();
      }),
      client.on('room_created', ({ room }) => {
        if (room.dm) void this.loadDms();
      }),
      client.on('dm_message', ({ room, message }) => this.dmWritten(room.id, message)),
      client.on('message_pinned', refreshPins),
      client.on('message_unpinned', refreshPins),
    );
    void client
      .blocks()
      .then((users) => {
        this.blocked.clear();
        for (const user of users) this.blocked.set(user.id, user);
        this.host.requestUpdate();
      })
      .catch(() => undefined);
    void this.loadDms();
    if (this.panel === 'pins') void this.loadPins();
  }

  private unwatch(): void {
    for (const off of this.off) off();
    this.off = [];
    this.watched = null;
  }

  /** Called after each render while a message is wanted: jump once it is drawn, page back until it is. */
  private followTarget(session: ChatSession): void {
    const target = this.target;
    // Not while a page is loading: the render that ends it would move the list under the scroll.
    if (!target || session.loadingOlder) return;
    if (session.timeline.has(target.id)) {
      this.target = null;
      // After the element's own updated(), which keeps the reader's place in the list and would undo the jump.
      void this.host.updateComplete.then(() => this.host.jumpTo(target.id));
      return;
    }
    const oldest = session.timeline.oldestSeq;
    if (session.hasOlder && oldest !== null && oldest > target.seq && target.pages < MAX_PAGES) {
      target.pages++;
      void session.loadOlder();
      return;
    }
    this.target = null;
    this.error = convoTextOf(this.host).notFound;
    this.host.requestUpdate();
  }

  private focus(selector: string): void {
    void this.host.updateComplete.then(() =>
      this.host.shadowRoot?.querySelector<HTMLElement>(selector)?.focus(),
    );
  }
}
