import { firstLink } from '../core/links.js';
import type { App, AppId, Room } from '../core/types.js';
import type { EngineContext } from './context.js';
import type { EngineEvent, MessageView } from './events.js';
import type { MessageDecorator } from './messages.js';
import type { LinkPreviewer } from './ports/linkPreviewer.js';
import { toMessageView, toRoomRef } from './views.js';

export interface LinkPreviewParts {
  /** Null: this node fetches no previews (an embedding without outbound calls). */
  previewer: LinkPreviewer | null;
  getApp(appId: AppId): Promise<App>;
  roomEvent(room: Room, event: EngineEvent): void;
  /** What every read adds to messages (reactions, previews), for the view the event carries. */
  decorate: MessageDecorator;
}

/**
 * Link previews (docs/link-previews.md): after a message is committed and fanned out, the node that committed
 * it fetches its first link's preview (ports/linkPreviewer.ts), stores it with the message and tells the room
 * `message_preview`; the other nodes hear that as any room event. The send never waits for any of it. Reads
 * carry the stored preview (`fill`, a message decorator).
 */
export class LinkPreviews {
  private stopped = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly parts: LinkPreviewParts,
  ) {}

  /** A message was committed and fanned out: its preview is looked for in the background. */
  posted(room: Room, message: MessageView): void {
    if (this.parts.previewer === null || this.stopped || message.kind === 'system') return;
    const link = firstLink(message.text);
    if (link === null) return;
    this.attach(this.parts.previewer, room, message.id, link).catch((err: unknown) =>
      this.ctx.logger.warn({ err, roomId: room.id, messageId: message.id }, 'link preview failed'),
    );
  }

  private async attach(previewer: LinkPreviewer, room: Room, messageId: number, link: string): Promise<void> {
    const app = await this.parts.getApp(room.appId);
    if (!app.settings.linkPreviews) {
      this.ctx.logger.debug({ roomId: room.id, messageId, failure: 'off' }, 'no link preview');
      return;
    }
    const outcome = await previewer.preview(link);
    if (!outcome.ok) {
      this.ctx.logger.debug({ roomId: room.id, messageId, failure: outcome.failure }, 'no link preview');
      return;
    }
    if (this.stopped) return;
    const store = this.ctx.store;
    // Stored only while the message is there and not deleted (checked by the store in the same statement).
    if (!(await this.ctx.track(store.linkPreviews.put(room.id, messageId, outcome.preview)))) return;
    const message = await store.messages.get(room.id, messageId);
    if (!message || message.deletedAt !== null) return;
    const view = toMessageView(message, room.name);
    await this.parts.decorate([view], null);
    view.preview = outcome.preview;
    this.parts.roomEvent(room, { type: 'message_preview', room: toRoomRef(room), message: view });
  }

  /** Sets `preview` on messages read back that have one, in one query; a deleted message shows none. */
  async fill(views: MessageView[]): Promise<void> {
    const live = views.filter((view) => view.deletedAt === null);
    if (live.length === 0) return;
    const previews = await this.ctx.store.linkPreviews.get(live.map((view) => view.id));
    if (previews.size === 0) return;
    for (const view of live) {
      const preview = previews.get(view.id);
      if (preview) view.preview = preview;
    }
  }

  /** A deleted message's preview is forgotten (the store keeps nothing of what it pointed at). */
  async removed(message: MessageView): Promise<void> {
    await this.ctx.track(this.ctx.store.linkPreviews.remove(message.id));
  }

  /** At shutdown: fetches still running store nothing and tell no one. */
  stop(): void {
    this.stopped = true;
  }
}
