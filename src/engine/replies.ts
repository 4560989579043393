import { messageNotFound } from '../core/failures.js';
import { checkMessageId } from '../core/messages.js';
import type { Room, UserId } from '../core/types.js';
import type { HistoryPage, HistoryQuery } from './api.js';
import type { EngineContext } from './context.js';
import type { MessageDecorator } from './messages.js';
import { seqPage, seqRange } from './paging.js';
import { toMessageView } from './views.js';

/**
 * The thread view: the replies to one message, paged by seq exactly as a room's history is. Writing a reply
 * is the post pipeline's (messages.ts, with `parentId`); the store keeps each reply's quote and each message's
 * reply count. The parent must be a message of the room; a deleted parent still shows its replies.
 */
export class Replies {
  constructor(
    private readonly ctx: EngineContext,
    /** What every read of messages adds to them (reactions), as for history. */
    private readonly decorators: readonly MessageDecorator[] = [],
  ) {}

  async thread(
    room: Room,
    parentId: unknown,
    query: HistoryQuery,
    readerId: UserId | null = null,
  ): Promise<HistoryPage> {
    const id = checkMessageId(parentId);
    const range = seqRange(query);
    if (!(await this.ctx.store.messages.get(room.id, id))) throw messageNotFound();
    const replies = await this.ctx.store.replies.range(room.id, id, range);
    const views = replies.map((m) => toMessageView(m, room.name));
    for (const decorate of this.decorators) if (views.length > 0) await decorate(views, readerId);
    return seqPage(views, range);
  }
}
