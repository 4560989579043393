/**
 * <parley-chat>: a complete chat box for one room, in the page or behind a launcher button. Its attributes
 * are in element-base.ts; `data-lang` or `lang` picks the language (i18n/).
 */
import { html, nothing, type PropertyValues } from 'lit';
import type { ClientCredentials, DisconnectedEvent, MessageView } from '../../src/client/index.js';
import { hintedDelay, ParleyClientError, retryHintMs } from '../../src/client/index.js';
import {
  accountErrorText,
  accountRequest,
  AccountError,
  clearIdentity,
  loadIdentity,
  saveIdentity,
  type StoredIdentity,
} from './identity.js';
import { AttentionController } from './attention.js';
import { fromElement } from './connection.js';
import { ConversationsController } from './conversations.js';
import { ChatElementBase, getSharedToken } from './element-base.js';
import { LauncherController } from './launcher.js';
import { MessageController } from './message-controller.js';
import { ChatSession, describe } from './session.js';
import { controls, launcher, layout, messages, panels, preview, social, theme, uploads } from './styles.js';
import { nameOf } from './views/avatar.js';
import { closedBanner, header, jumpButton, typingLine } from './views/chrome.js';
import { composerArea } from './views/composer-area.js';
import { logView } from './views/log.js';
import { headerEnd, launcherButton } from './views/launcher.js';
import { panelButtons, panelView } from './views/panels.js';
import { welcomeView, type WelcomeMode } from './views/welcome.js';
import { USERNAME } from './format.js';
import { isAtBottom, ScrollKeeper } from './scroll.js';
import { isLiveGuest, upgradeWithPassword } from './sign-in-place.js';
import { guestErrorText } from './texts.js';
import { LanguageScope, textsOf, tx } from './i18n/scope.js';
import { GuestVerification } from './verification.js';
import { roomHeading, roomLabel, roomTitle, type RoomHeading } from './page-room.js';
import { FileControls } from './files.js';

export { setDefaultServer, setSharedToken } from './element-base.js';

export class ParleyChatElement extends ChatElementBase {
  static override styles = [theme, layout, messages, controls, social, panels, launcher, preview, uploads];
  static override properties = {
    view: { state: true },
    welcomeMode: { state: true },
    welcomeError: { state: true },
    busy: { state: true },
    closed: { state: true },
    announcement: { state: true },
    atBottom: { state: true },
  };

  declare view: 'idle' | 'welcome' | 'chat';
  declare welcomeMode: WelcomeMode;
  declare welcomeError: string;
  declare busy: boolean;
  declare closed: DisconnectedEvent | null;
  declare announcement: string;
  declare atBottom: boolean;

  session: ChatSession | null = null;
  private guestsAllowed = true;
  /** The welcome screen's account form is signing in the guest of the live session (in place). */
  private upgrading = false;
  /** The nickname last tried on the welcome screen. */
  private nickname = '';
  private readonly messages = new MessageController(this);
  private readonly convo = new ConversationsController(this);
  /** Makes this widget's words the ones its views read while it renders (i18n/scope.ts). */
  readonly language = new LanguageScope(this);
  private readonly verification = new GuestVerification(this, (guest, verification) => {
    void this.openSession({ guest, verification }, null);
  });
  private readonly scrollKeeper = new ScrollKeeper();
  private readonly files = new FileControls(this, () => this.session);
  private readonly attention = new AttentionController(this);
  // Opened: the list is placed anew (it had no size while closed); closed: what comes next is unread.
  private readonly launcher = new LauncherController(this, (open) => {
    if (open) this.scrollKeeper.reset();
    else this.session?.markAway();
  });
  private readonly onVisibility = () => {
    if (document.visibilityState === 'hidden') this.session?.markAway();
    else this.maybeMarkRead();
  };

  constructor() {
    super();
    this.view = 'idle';
    this.welcomeMode = 'guest';
    this.welcomeError = '';
    this.busy = false;
    this.closed = null;
    this.announcement = '';
    this.atBottom = true;
  }

  // ------------------------------------------------------------------ lifecycle

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('visibilitychange', this.onVisibility);
    queueMicrotask(() => this.restart());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.cancelRetry();
    this.session?.stop();
    this.session = null;
  }

  /** Sign in again with a new token from the host site (null: forget it). */
  setToken(token: string | null): void {
    this.token = token;
    const session = this.session;
    // A guest who signed in on the host site stays in the room: the connection takes the token in place.
    if (token && session && isLiveGuest(session)) void session.upgrade({ token }).catch(() => this.restart());
    else this.restart();
  }

  /** A guest verification token from the host page (`parley:verification`, docs/widget.md). */
  verify(token: string): void {
    this.verification.provide(token);
  }

  /** Go to another room (a DM, the room of a search hit) on the same sign-in. */
  switchRoom(room: string): void {
    this.room = room;
    this.restart();
  }

  /** A notification was clicked: the box in sight, in that room. */
  reveal(room: string): void {
    this.launcher.show();
    if (room !== this.room) this.switchRoom(room);
  }

  jumpTo(id: number): void {
    this.messages.actions.jumpTo(id);
  }

  signOut(): void {
    clearIdentity(this.serverUrl, this.app);
    this.token = null;
    this.restart();
  }

  /** (Re)connect with the best credentials available, or show the welcome screen. */
  restart(): void {
    this.cancelRetry();
    if (!this.isConnected) return;
    this.session?.stop();
    this.session = null;
    this.closed = null;
    const token = this.token ?? getSharedToken();
    const stored = loadIdentity(this.serverUrl, this.app);
    if (token) void this.openSession({ token }, null);
    else if (stored) void this.openSession({ token: stored.token }, stored);
    else this.view = 'welcome';
  }

  private async openSession(credentials: ClientCredentials, stored: StoredIdentity | null): Promise<void> {
    this.session?.stop();
    const session = new ChatSession(
      { server: this.serverUrl, app: this.app, room: this.room, credentials, ...fromElement(this) },
      {
        change: () => this.requestUpdate(),
        incoming: (m) => this.onIncoming(m),
        closed: (event) => this.onClosed(event, stored),
      },
    );
    this.session = session;
    this.view = 'chat';
    this.closed = null;
    this.scrollKeeper.reset();
    this.messages.reset();
    try {
      const auth = await session.start();
      if ('guest' in credentials && auth?.resumeToken) {
        saveIdentity(this.serverUrl, this.app, {
          kind: 'guest',
          nickname: auth.user.username,
          token: auth.resumeToken,
        });
      }
      this.verification.clear();
      this.emit('parley:ready', { user: auth?.user ?? null, room: this.room });
    } catch (err) {
      if (this.session !== session) return;
      session.stop();
      this.session = null;
      this.onStartFailed(err, credentials, stored);
    }
  }

  private onStartFailed(err: unknown, credentials: ClientCredentials, stored: StoredIdentity | null): void {
    const code = err instanceof ParleyClientError ? err.code : '';
    const refused = code === 'unauthorized' || code === 'credentials_expired';
    if (stored?.kind === 'guest' && refused) {
      // The resume token ran out: come back under the same nickname.
      void this.openSession({ guest: stored.nickname }, null);
      return;
    }
    if (stored && refused) clearIdentity(this.serverUrl, this.app);
    if ('guest' in credentials || stored) {
      this.view = 'welcome';
      const asked =
        'guest' in credentials &&
        this.verification.ask(err, credentials.guest, credentials.verification !== undefined);
      this.welcomeError = asked || guestErrorText(code, describe(err), textsOf(this));
      if (code === 'guests_disabled') this.guestsAllowed = false;
      return;
    }
    this.view = 'chat';
    const hint = err instanceof ParleyClientError ? retryHintMs(err) : null;
    this.closed = {
      code: 0,
      reason: code || 'connect_failed',
      message: describe(err),
      willReconnect: hint !== null,
    };
    // Turned away for a limit with a hint (a full server, too many connections or sign-ins): come back on our
    // own once the hint has passed, with jitter, rather than at once or never.
    if (hint !== null) this.retryTimer = setTimeout(() => this.restart(), hintedDelay(hint));
  }

  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  private cancelRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private onClosed(event: DisconnectedEvent, stored: StoredIdentity | null): void {
    if (event.reason === 'credentials_expired' && stored?.kind === 'guest') {
      void this.openSession({ guest: stored.nickname }, null);
      return;
    }
    this.closed = event;
  }

  private onIncoming(message: MessageView): void {
    const who = nameOf(message.author);
    const text = message.text.length > 140 ? `${message.text.slice(0, 140)}…` : message.text;
    this.announcement = `${who}: ${text}`;
    // A reader at the bottom of a visible widget has seen it once it is drawn (the server's marker follows).
    void this.updateComplete.then(() => this.maybeMarkRead());
    this.attention.incoming(message);
    if (!this.atBottom || this.attention.away) {
      this.emit('parley:unread', { count: this.session?.unreadCount ?? 0, room: this.room });
    }
  }

  private emit(name: string, detail: unknown): boolean {
    return this.dispatchEvent(
      new CustomEvent(name, { detail, bubbles: true, composed: true, cancelable: true }),
    );
  }

  // ------------------------------------------------------------------ welcome actions

  private async joinAsGuest(nickname: string): Promise<void> {
    this.nickname = nickname;
    if (!USERNAME.test(nickname)) {
      this.welcomeError = textsOf(this).t('badNickname');
      return;
    }
    this.busy = true;
    this.welcomeError = '';
    await this.openSession({ guest: nickname }, null);
    this.busy = false;
  }

  private async account(mode: 'login' | 'register', username: string, password: string): Promise<void> {
    this.busy = true;
    this.welcomeError = '';
    try {
      const session = this.session;
      if (this.upgrading && session && isLiveGuest(session)) {
        await upgradeWithPassword(
          session,
          { server: this.serverUrl, app: this.app },
          mode,
          username,
          password,
        );
        this.upgrading = false;
        this.view = 'chat';
        return;
      }
      const { token, user } = await accountRequest(this.serverUrl, this.app, mode, username, password);
      const identity: StoredIdentity = { kind: 'account', username: user.username, token };
      saveIdentity(this.serverUrl, this.app, identity);
      await this.openSession({ token }, identity);
    } catch (err) {
      this.welcomeError =
        err instanceof AccountError ? accountErrorText(err.code, err.message, textsOf(this)) : describe(err);
    } finally {
      this.busy = false;
    }
  }

  /** Ask the host site to sign the user in; when nobody handles the event, use Parley's own accounts. */
  private requestSignIn(): void {
    const handledByHost = !this.emit('parley:signin', { app: this.app, room: this.room });
    if (handledByHost) return;
    this.welcomeError = '';
    this.welcomeMode = 'login';
    if (isLiveGuest(this.session)) {
      this.upgrading = true;
      this.view = 'welcome';
      return;
    }
    this.session?.stop();
    this.session = null;
    this.view = 'welcome';
  }

  // ------------------------------------------------------------------ scrolling and reading

  private get log(): HTMLElement | null {
    return this.shadowRoot?.querySelector('.log') ?? null;
  }

  override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    this.scrollKeeper.before(this.log);
  }

  override updated(changed: PropertyValues): void {
    super.updated(changed);
    const log = this.log;
    const session = this.session;
    if (!log || !session?.joined) return;
    if (this.scrollKeeper.after(log, session.timeline.oldestSeq)) this.onScroll();
  }

  private onScroll(): void {
    const log = this.log;
    const session = this.session;
    if (!log || !session) return;
    const bottom = isAtBottom(log);
    if (bottom !== this.atBottom) this.atBottom = bottom;
    if (log.scrollTop < 150 && session.hasOlder && !session.loadingOlder) void session.loadOlder();
    this.maybeMarkRead();
  }

  private maybeMarkRead(): void {
    if (this.atBottom && !this.attention.away) this.session?.markRead();
  }

  private jumpToBottom(): void {
    const log = this.log;
    if (log) log.scrollTop = log.scrollHeight;
    this.onScroll();
  }

  // ------------------------------------------------------------------ render

  /** The room's title: the host's label on the home room, the other person's name in a DM (page-room.ts). */
  private get heading(): RoomHeading {
    return roomHeading(this.room, this.convo, this.label);
  }

  override render() {
    const session = this.session;
    const online = session ? [...session.online.values()] : [];
    const signedIn = !!session?.me;
    const launcher = this.isLauncher;
    return html`<section class="chat" id="chat" aria-labelledby="title" ?hidden=${launcher && !this.open}>
        ${header({
          ...this.heading,
          topic: session?.topic ?? '',
          state: this.view === 'chat' ? (this.closed ? 'closed' : (session?.state ?? 'connecting')) : null,
          // At the bottom the room is being marked read: no badge that would blink with every message.
          unread: this.view === 'chat' && !this.atBottom ? (session?.unread ?? 0) : 0,
          tools: session ? panelButtons(this.convo, online.length, signedIn) : nothing,
          end: headerEnd({
            notifier: signedIn ? this.attention.notifier : null,
            toggleNotify: () => void this.attention.toggleNotifications(),
            close: launcher ? () => this.launcher.hide() : null,
          }),
        })}
        ${
          this.view === 'welcome'
            ? welcomeView(
                {
                  room: roomLabel(this.room),
                  mode: this.welcomeMode,
                  busy: this.busy,
                  error: this.welcomeError,
                  guestsAllowed: this.guestsAllowed,
                  nickname: this.nickname,
                  verifying: this.verification.hint !== null,
                },
                {
                  joinAsGuest: (n) => void this.joinAsGuest(n),
                  account: (mode, u, p) => void this.account(mode, u, p),
                  requestSignIn: () => this.requestSignIn(),
                  setMode: (mode) => {
                    this.welcomeError = '';
                    this.welcomeMode = mode;
                    // "Back" from signing in a guest in place: the room is still there.
                    if (mode === 'guest' && this.upgrading) {
                      this.upgrading = false;
                      this.view = 'chat';
                    }
                  },
                },
              )
            : nothing
        }
        ${
          this.view === 'chat'
            ? html`<div class="main">
                ${this.renderChat()}
                ${
                  session
                    ? panelView({ convo: this.convo, me: session.me, online, room: this.room }, signedIn)
                    : nothing
                }
              </div>`
            : nothing
        }
        <div class="sr-only" aria-live="polite" aria-atomic="true">${this.announcement}</div>
        <div class="sr-only" role="status">${this.convo.notice}</div>
        ${this.files.lightbox.view()}
      </section>
      ${launcher ? launcherButton(this.open, this.attention.unseen, () => this.launcher.toggle()) : nothing}`;
  }

  private renderChat() {
    const session = this.session;
    const closed = this.closed;
    const typingNames = session?.typing.names ?? [];
    const unread = session && !this.atBottom ? session.unreadCount : 0;
    const convoError = this.convo.panel === null ? this.convo.error : '';
    return html`${closed ? closedBanner(closed, () => this.restart()) : nothing}
      ${convoError ? html`<div class="banner warn" role="alert"><span>${convoError}</span></div>` : nothing}
      <div
        class="log"
        tabindex="0"
        role="region"
        aria-label=${tx().t('messageHistory')}
        @scroll=${() => this.onScroll()}
      >
        <div class="stream">
          ${
            session
              ? logView({
                  session,
                  editingId: this.messages.editingId,
                  confirmingId: this.messages.confirmingId,
                  pickingId: this.messages.pickingId,
                  menuId: this.messages.menuId,
                  body: (m) => this.messages.body(m),
                  mentionsMe: (m) => this.messages.mentionsMe(m),
                  actions: this.messages.actions,
                  fillGap: (seq) => void session.fillGap(seq),
                  title: roomTitle(this.heading, this.room),
                })
              : nothing
          }
        </div>
      </div>
      ${jumpButton(unread, () => this.jumpToBottom())} ${typingLine(typingNames)} ${this.renderComposer()}`;
  }

  private renderComposer() {
    const session = this.session;
    if (!session || this.closed) return nothing;
    return composerArea(
      {
        session,
        title: roomTitle(this.heading, this.room),
        replyingTo: this.messages.replyingTo,
        ownSignIn: this.token === null && getSharedToken() === null,
        liveGuest: isLiveGuest(session),
        uploads: this.files.uploads,
      },
      {
        cancelReply: (focus) => this.messages.cancelReply(focus),
        editLast: () => this.messages.editLast(),
        sent: () => this.jumpToBottom(),
        signIn: () => this.requestSignIn(),
        signOut: () => this.signOut(),
      },
    );
  }
}
