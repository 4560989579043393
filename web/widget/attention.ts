/**
 * What calls the reader back while they are away (the tab hidden, or the launcher closed), as a Lit reactive
 * controller: the count of what arrived meanwhile (the launcher's badge and, where on, the tab's title), and
 * the sound and notification of a mention or a DM while the tab is hidden (notifier.ts).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { MessageView, User } from '../../src/client/index.js';
import { notifyKinds, Notifier } from './notifier.js';
import { mentions } from './rich-text.js';
import type { ChatSession } from './session.js';
import { ATTENTION_TEXT as T } from './texts.js';
import { setTitleCount } from './title-badge.js';
import { nameOf } from './views/avatar.js';

export interface AttentionHost extends ReactiveControllerHost {
  readonly session: ChatSession | null;
  readonly serverUrl: string;
  readonly app: number;
  readonly room: string;
  readonly isLauncher: boolean;
  readonly open: boolean;
  readonly notify: string | undefined;
  readonly titleUnread: string | undefined;
  /** Show the box in this room: a notification was clicked. */
  reveal(room: string): void;
}

function excerpt(text: string): string {
  return text.length > 140 ? `${text.slice(0, 140)}…` : text;
}

function mentionsMe(message: MessageView, me: User): boolean {
  return message.mentions.some((u) => u.id === me.id) || mentions(message.text, me.username);
}

export class AttentionController implements ReactiveController {
  /** Messages (in the room, DMs and mentions elsewhere) that arrived while the reader was away. */
  unseen = 0;
  readonly notifier = new Notifier(() => ({
    kinds: notifyKinds(this.host.notify),
    key: `parley:${this.host.serverUrl}:${this.host.app}:notify`,
  }));
  private watched: ChatSession | null = null;
  private off: (() => void)[] = [];
  private readonly onVisibility = () => this.settle();

  constructor(private readonly host: AttentionHost) {
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.watch(null);
    setTitleCount(this, 0);
  }

  hostUpdated(): void {
    if (this.host.session !== this.watched) this.watch(this.host.session);
    this.settle();
  }

  /** The reader cannot see the box: the tab is hidden or the launcher is closed. */
  get away(): boolean {
    return document.visibilityState === 'hidden' || (this.host.isLauncher && !this.host.open);
  }

  /** `title-unread="true"` or `"false"`; absent: on for the launcher, whose box is mostly out of sight. */
  private get inTitle(): boolean {
    const setting = this.host.titleUnread;
    return setting === 'true' || (setting !== 'false' && this.host.isLauncher);
  }

  /** A live message from someone else in the room. */
  incoming(message: MessageView): void {
    this.arrived();
    const me = this.host.session?.me;
    if (!me) return;
    const room = this.host.room;
    const author = nameOf(message.author);
    if (room.startsWith('dm:')) this.alert(T.directMessage(author), message.text, room);
    else if (mentionsMe(message, me)) this.alert(T.mentioned(author, `#${room}`), message.text, room);
  }

  async toggleNotifications(): Promise<void> {
    await this.notifier.toggle();
    this.host.requestUpdate();
  }

  // ------------------------------------------------------------------ internals

  private arrived(): void {
    if (!this.away) return;
    this.unseen++;
    this.settle();
    this.host.requestUpdate();
  }

  /** Back in sight: nothing unseen any more. The title follows the count. */
  private settle(): void {
    if (!this.away && this.unseen > 0) {
      this.unseen = 0;
      this.host.requestUpdate();
    }
    setTitleCount(this, this.inTitle ? this.unseen : 0);
  }

  private alert(title: string, text: string, room: string): void {
    this.notifier.alert({ title, body: excerpt(text), room }, () => this.host.reveal(room));
  }

  /** A mention or a DM outside the room counts and alerts as well. */
  private watch(session: ChatSession | null): void {
    for (const off of this.off) off();
    this.off = [];
    this.watched = session;
    if (!session) return;
    this.off.push(
      session.client.on('mention', ({ room, author, excerpt: text }) => {
        this.arrived();
        this.alert(T.mentioned(nameOf(author), `#${room.name}`), text, room.name);
      }),
      session.client.on('dm_message', ({ room, message }) => {
        this.arrived();
        this.alert(T.directMessage(nameOf(message.author)), message.text, room.name);
      }),
    );
  }
}
