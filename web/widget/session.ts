/**
 * One chat room over the typed client: connection state, the timeline, presence, typing, unread tracking and
 * what the user may do (muted, read-only). The element renders it and calls its methods; every change calls
 * `onChange`.
 */
import {
  type ParleyClient,
  newClientMsgId,
  type AuthResult,
  type ClientCredentials,
  type ClientState,
  type DisconnectedEvent,
  type MessageView,
  type UpgradeRequest,
  type UpgradeResult,
  type User,
  type UserRef,
} from '../../src/client/index.js';
import { widgetClient } from './connection.js';
import { loadReadSeq, saveReadSeq } from './identity.js';
import { resolveRoom } from './page-room.js';
import { applyReaction, keepMine, reactedWith } from './reactions.js';
import { ReadSync } from './read-sync.js';
import { rosterListeners } from './roster-events.js';
import { sendRefusal } from './send-refusal.js';
import { SlowMode } from './slow-mode.js';
import { textsFor, type Texts } from './i18n/texts.js';
import { Timeline } from './timeline.js';
import { TypingRoster, TypingSignal } from './typing.js';
import { describe } from './format.js';
export { describe };

export interface SessionOptions {
  server: string;
  app: number;
  room: string;
  credentials: ClientCredentials;
  /** The widget's words for the notices this session writes (default English). */
  texts?: Texts;
  /** One connection shared by the site's tabs (default true; connection.ts). */
  shareTabs?: boolean;
}

export interface Notice {
  id: number;
  tone: 'info' | 'error';
  text: string;
}

export interface SessionHooks {
  change(): void;
  /** A live message from someone else (for the screen-reader announcement and unread counts). */
  incoming(message: MessageView): void;
  /** The connection ended for good (kicked, banned, credentials refused...). */
  closed(event: DisconnectedEvent): void;
}

const PAGE_SIZE = 50;

let noticeIds = 0;

export class ChatSession {
  readonly timeline = new Timeline();
  readonly online = new Map<number, UserRef>();
  readonly typing = new TypingRoster(() => this.hooks.change());
  readonly notices: Notice[] = [];
  state: ClientState = 'closed';
  me: User | null = null;
  auth: AuthResult | null = null;
  topic = '';
  hasOlder = false;
  loadingOlder = false;
  joined = false;
  /** Undefined: not muted; null: muted until unmuted; a time: muted until then. */
  mutedUntil: number | null | undefined = undefined;
  readOnly = false;
  /** Everything up to this seq has been seen (persisted per room). */
  readSeq: number | null = null;
  /** The unread divider goes before the first message after this seq (null: no divider). */
  dividerSeq: number | null = null;
  /** The server's unread count for the room (join, then live): the header's badge. */
  unread = 0;

  /** The connection, for the requests the conversations controller makes (DMs, blocks, search, pins). */
  readonly client: ParleyClient;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly typingSignal = new TypingSignal((typing) => {
    void this.client.typing(this.room, typing).catch(() => undefined);
  });
  private muteTimer: ReturnType<typeof setTimeout> | null = null;
  readonly slowMode = new SlowMode(() => this.hooks.change());
  private readonly readSync = new ReadSync(async (seq) => {
    // The answer stands for the `read` event, which goes to the user's other connections only.
    const answer = await this.client.read(this.room, seq);
    this.onRead({ name: answer.room }, answer.seq);
    this.unread = answer.unread;
    this.hooks.change();
  });

  constructor(
    readonly options: SessionOptions,
    private readonly hooks: SessionHooks,
  ) {
    this.client = widgetClient(options);
    this.listen();
  }

  /** The room joined: the one asked for, or for `auto` the page's (page-room.ts). */
  private resolved: string | null = null;
  get room(): string {
    return this.resolved ?? this.options.room;
  }

  private get words(): Texts {
    return this.options.texts ?? textsFor('en');
  }

  /** Connect, authenticate and join; rejects with the client's error when the first attempt fails. */
  async start(): Promise<AuthResult | null> {
    const auth = await this.client.connect();
    this.auth = auth;
    this.me = auth?.user ?? null;
    this.resolved = await resolveRoom(this.client, this.options.room);
    this.readSeq = this.dividerSeq = loadReadSeq(this.options.server, this.options.app, this.room);
    const joined = await this.client.join(this.room);
    this.topic = joined.room.topic;
    this.slowMode.set(joined.room.slowModeSeconds ?? 0);
    this.unread = joined.room.unread ?? 0;
    this.timeline.addPage(joined.messages);
    if (joined.gap) this.timeline.addGap({ afterSeq: joined.gap.afterSeq, beforeSeq: joined.gap.beforeSeq });
    this.setOnline(joined.online);
    this.hasOlder = (this.timeline.oldestSeq ?? 1) > 1;
    this.joined = true;
    this.hooks.change();
    return auth;
  }

  /** A guest signs in on this connection (`upgrade`): the same connection and rooms, under the new name. */
  async upgrade(request: UpgradeRequest): Promise<UpgradeResult> {
    const result = await this.client.upgrade(request);
    this.me = result.user;
    // "Guests can read this room" was about the guest: the user may write (a send would say otherwise).
    this.readOnly = false;
    this.hooks.change();
    return result;
  }

  stop(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe.length = 0;
    this.typing.clear();
    this.typingSignal.stop(false);
    if (this.muteTimer) clearTimeout(this.muteTimer);
    this.slowMode.stop();
    this.readSync.stop();
    this.client.close();
  }

  isOwn(message: MessageView): boolean {
    return this.me !== null && message.author?.id === this.me.id;
  }

  get unreadCount(): number {
    const read = this.readSeq ?? 0;
    return this.timeline.messages.filter((m) => m.seq > read && !this.isOwn(m) && m.deletedAt === null)
      .length;
  }

  /** The user has seen everything shown: move the read marker (the divider stays until they write). */
  markRead(): void {
    const newest = this.timeline.newestSeq;
    if (newest !== null && this.joined) this.readSync.mark(newest);
    if (newest === null || (this.readSeq ?? 0) >= newest) return;
    this.readSeq = newest;
    saveReadSeq(this.options.server, this.options.app, this.room, newest);
    this.hooks.change();
  }

  /** The user looked away: what arrives from now on is below the divider. */
  markAway(): void {
    this.dividerSeq = this.readSeq ?? this.timeline.newestSeq;
    this.hooks.change();
  }

  async loadOlder(): Promise<void> {
    const before = this.timeline.oldestSeq;
    if (this.loadingOlder || !this.hasOlder || before === null) return;
    this.loadingOlder = true;
    this.hooks.change();
    try {
      const page = await this.client.history(this.room, { before, limit: PAGE_SIZE });
      this.timeline.addPage(page.messages);
      this.timeline.pruneGaps();
      this.hasOlder = page.nextCursor !== null && (this.timeline.oldestSeq ?? 1) > 1;
    } catch (err) {
      this.notify('error', this.words.t('couldNotLoadOlder', { reason: describe(err) }));
    } finally {
      this.loadingOlder = false;
      this.hooks.change();
    }
  }

  /** Fill a gap reported after a reconnect, one page at a time (newest first). */
  async fillGap(beforeSeq: number): Promise<void> {
    try {
      const page = await this.client.history(this.room, { before: beforeSeq, limit: PAGE_SIZE });
      this.timeline.addPage(page.messages);
      const gap = this.timeline.gaps.find((g) => g.beforeSeq === beforeSeq);
      const oldest = page.messages[0]?.seq;
      if (gap && oldest !== undefined && oldest > gap.afterSeq + 1) {
        this.timeline.gaps = this.timeline.gaps.map((g) => (g === gap ? { ...g, beforeSeq: oldest } : g));
      }
      this.timeline.pruneGaps();
    } catch (err) {
      this.notify('error', this.words.t('couldNotLoadMissed', { reason: describe(err) }));
    }
    this.hooks.change();
  }

  /** With `attachments` (upload ids, uploader.ts) the text may be empty. */
  async send(text: string, replyTo?: number, attachments: string[] = []): Promise<boolean> {
    const body = text.trim();
    if (!body && attachments.length === 0) return false;
    const clientMsgId = newClientMsgId();
    const reply = {
      ...(replyTo === undefined ? {} : { replyTo }),
      ...(attachments.length ? { attachments } : {}),
    };
    this.timeline.addPending({ clientMsgId, text: body, createdAt: Date.now(), error: null, ...reply });
    this.dividerSeq = null;
    this.stopTyping();
    this.hooks.change();
    try {
      const result = await this.client.send(this.room, body, { clientMsgId, ...reply });
      if (result.kind === 'message') this.timeline.upsert(result.message);
      this.timeline.settle(clientMsgId);
      this.slowMode.sent(this.isStaff);
      this.markRead();
      return true;
    } catch (err) {
      this.onSendError(clientMsgId, err);
      return false;
    } finally {
      this.hooks.change();
    }
  }

  async retry(clientMsgId: string): Promise<void> {
    const pending = this.timeline.pending.find((p) => p.clientMsgId === clientMsgId);
    if (!pending) return;
    this.timeline.settle(clientMsgId);
    await this.send(pending.text, pending.replyTo, pending.attachments);
  }

  discard(clientMsgId: string): void {
    this.timeline.settle(clientMsgId);
    this.hooks.change();
  }

  async edit(id: number, text: string): Promise<boolean> {
    try {
      this.timeline.upsert(await this.client.edit(this.room, id, text.trim()));
      return true;
    } catch (err) {
      this.notify('error', this.words.t('couldNotEdit', { reason: describe(err) }));
      return false;
    } finally {
      this.hooks.change();
    }
  }

  async remove(id: number): Promise<void> {
    try {
      this.timeline.upsert(await this.client.delete(this.room, id));
    } catch (err) {
      this.notify('error', this.words.t('couldNotDelete', { reason: describe(err) }));
    }
    this.hooks.change();
  }

  /** Add or take back the reader's reaction; the answer carries the message's reactions as they are now. */
  async toggleReaction(id: number, emoji: string): Promise<void> {
    const message = this.timeline.messages.find((m) => m.id === id);
    if (!message) return;
    try {
      const op = reactedWith(message, emoji) ? 'unreact' : 'react';
      const result = await this.client[op](this.room, id, emoji);
      const now = this.timeline.messages.find((m) => m.id === id);
      if (now) this.timeline.upsert({ ...now, reactions: result.reactions });
    } catch (err) {
      this.notify('error', `${this.words.t('couldNotReact')}: ${describe(err)}`);
    }
    this.hooks.change();
  }

  /** The user is typing: tell the room, at most every few seconds, and stop after a pause. */
  noteTyping(): void {
    if (this.state === 'open' && this.canWrite) this.typingSignal.note();
  }

  stopTyping(): void {
    this.typingSignal.stop(this.state === 'open');
  }

  /** Mods and above: exempt from slow mode, see what is hidden from others. */
  get isStaff(): boolean {
    return ['mod', 'admin', 'owner'].includes(this.me?.role ?? '');
  }

  get canWrite(): boolean {
    return !this.readOnly && this.mutedUntil === undefined;
  }

  /** A moderator's action from a message's menu: its outcome is told as a notice. */
  async moderate(label: string, action: (client: ParleyClient) => Promise<unknown>): Promise<void> {
    try {
      await action(this.client);
      this.notify('info', `${label}.`);
    } catch (err) {
      this.notify('error', this.words.t('actionFailed', { action: label, reason: describe(err) }));
    }
    this.hooks.change();
  }

  dismissNotice(id: number): void {
    const index = this.notices.findIndex((n) => n.id === id);
    if (index >= 0) this.notices.splice(index, 1);
    this.hooks.change();
  }

  // ------------------------------------------------------------------ internals

  notify(tone: Notice['tone'], text: string): void {
    this.notices.push({ id: ++noticeIds, tone, text });
    if (this.notices.length > 4) this.notices.shift();
  }

  private onSendError(clientMsgId: string, err: unknown): void {
    const refusal = sendRefusal(err, this.slowMode.seconds, this.words);
    if (refusal.readOnly) this.readOnly = true;
    if (refusal.mutedUntil !== undefined) this.setMuted(refusal.mutedUntil);
    if (refusal.waitMs !== undefined) this.slowMode.wait(refusal.waitMs);
    if (refusal.text === null) this.timeline.settle(clientMsgId);
    else this.timeline.fail(clientMsgId, refusal.text);
  }

  private setMuted(until: number | null | undefined): void {
    if (this.muteTimer) clearTimeout(this.muteTimer);
    this.muteTimer = null;
    this.mutedUntil = until;
    if (typeof until === 'number') {
      const left = until - Date.now();
      this.muteTimer = setTimeout(() => this.setMuted(undefined), Math.max(0, Math.min(left, 2 ** 31 - 1)));
    }
    this.stopTyping();
    this.hooks.change();
  }

  private setOnline(users: readonly UserRef[]): void {
    this.online.clear();
    for (const user of users) this.online.set(user.id, user);
  }

  private ours(room: { name: string } | null): boolean {
    return room !== null && room.name === this.room;
  }

  private listen(): void {
    const c = this.client;
    const on = this.unsubscribe;
    on.push(
      c.on('state', (state) => {
        this.state = state;
        if (state !== 'open') this.stopTyping();
        this.hooks.change();
      }),
      c.on('message', ({ room, message }) => {
        if (!this.ours(room)) return;
        if (message.author) this.typing.set(message.author, false);
        const fresh = this.timeline.upsert(message);
        if (fresh && !this.isOwn(message)) this.unread++;
        if (fresh && this.joined && !this.isOwn(message)) this.hooks.incoming(message);
        this.hooks.change();
      }),
      c.on('message_edited', ({ room, message }) => this.replace(room, message)),
      c.on('message_deleted', ({ room, message }) => this.replace(room, message)),
      c.on('message_preview', ({ room, message }) => this.replace(room, message)),
      c.on('reaction_changed', ({ room, messageId, emoji, count, user, added }) => {
        const message = this.ours(room) ? this.timeline.messages.find((m) => m.id === messageId) : undefined;
        if (!message) return;
        const change = { emoji, count, added, mine: user.id === this.me?.id };
        this.timeline.upsert({ ...message, reactions: applyReaction(message.reactions, change) });
        this.hooks.change();
      }),
      c.on('read', ({ room, seq }) => this.onRead(room, seq)),
      ...rosterListeners(c, {
        ours: (room) => this.ours(room),
        online: this.online,
        typing: this.typing,
        myId: () => this.me?.id,
        change: () => this.hooks.change(),
      }),
      c.on('slow_mode_changed', ({ room, seconds }) => {
        if (!this.ours(room)) return;
        this.slowMode.set(seconds);
        this.hooks.change();
      }),
      // Hidden after reports: gone from view, but for its author and staff (who see it marked).
      c.on('message_hidden', ({ room, messageId }) => {
        const hidden = this.ours(room) ? this.timeline.get(messageId) : undefined;
        if (hidden) this.timeline.upsert({ ...hidden, visibility: 'hidden' });
        this.hooks.change();
      }),
      c.on('room_updated', ({ room }) => {
        if (room.name !== this.room) return;
        this.topic = room.topic;
        this.hooks.change();
      }),
      c.on('muted', ({ room, user, expiresAt }) => {
        if (user.id !== this.me?.id || (room !== null && !this.ours(room))) return;
        this.setMuted(expiresAt);
      }),
      c.on('unmuted', ({ room, user }) => {
        if (user.id !== this.me?.id || (room !== null && !this.ours(room))) return;
        this.setMuted(undefined);
      }),
      c.on('system', ({ room, text }) => {
        if (room !== null && !this.ours(room)) return;
        this.notify('info', text);
        this.hooks.change();
      }),
      c.on('gap', ({ room, afterSeq, beforeSeq }) => {
        if (!this.ours(room)) return;
        this.timeline.addGap({ afterSeq, beforeSeq });
        this.hooks.change();
      }),
      c.on('reconnected', () => {
        // Presence changed while away: ask again rather than guess.
        void c
          .members(this.room)
          .then((users) => {
            this.setOnline(users);
            this.hooks.change();
          })
          .catch(() => undefined);
      }),
      c.on('disconnected', (event) => {
        if (event.willReconnect) return;
        const wasJoined = this.joined;
        this.joined = false;
        this.online.clear();
        this.typing.clear();
        // A failure before the room was joined is start()'s to report.
        if (wasJoined) this.hooks.closed(event);
        this.hooks.change();
      }),
    );
  }

  /** The read marker moved (here or in another tab): the badge counts what is left after it. */
  private onRead(room: { name: string }, seq: number): void {
    if (!this.ours(room)) return;
    this.readSync.known(seq);
    this.unread = this.timeline.messages.filter(
      (m) => m.seq > seq && !this.isOwn(m) && m.deletedAt === null,
    ).length;
    if (seq > (this.readSeq ?? 0)) {
      this.readSeq = seq;
      saveReadSeq(this.options.server, this.options.app, this.room, seq);
    }
    this.hooks.change();
  }

  private replace(room: { name: string }, message: MessageView): void {
    if (!this.ours(room)) return;
    this.timeline.upsert(
      keepMine(
        message,
        this.timeline.messages.find((m) => m.id === message.id),
      ),
    );
    if (message.deletedAt !== null) {
      // The replies to it quote a deleted message now.
      for (const reply of this.timeline.messages.filter((m) => m.replyTo?.id === message.id)) {
        if (reply.replyTo) this.timeline.upsert({ ...reply, replyTo: { ...reply.replyTo, deleted: true } });
      }
    }
    this.hooks.change();
  }
}
