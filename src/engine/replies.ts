import { messageNotFound } from '../core/failures.js';
import { checkMessageId } from '../core/messages.js';
import type { Room } from '../core/types.js';
import type { HistoryPage, HistoryQuery } from './api.js';
import type { EngineContext } from './context.js';
import { seqPage, seqRange } from './paging.js';
import { toMessageView } from './views.js';

/**
 * The thread view: the replies to one message, paged by seq exactly as a room's history is. Writing a reply
 * is the post pipeline's (messages.ts, with `parentId`); the store keeps each reply's quote and each message's
 * reply count. The parent must be a message of the room; a deleted parent still shows its replies.
 */
export class Replies {
  constructor(private readonly ctx: EngineContext) {}

  async thread(room: Room, parentId: unknown, query: HistoryQuery): Promise<HistoryPage> {
    const id = checkMessageId(parentId);
    const range = seqRange(query);
    if (!(await this.ctx.store.messages.get(room.id, id))) throw messageNotFound();
    const replies = await this.ctx.store.replies.range(room.id, id, range);
    return seqPage(
      replies.map((m) => toMessageView(m, room.name)),
      range,
    );
  }
}
