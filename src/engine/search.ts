import { roomIsPrivate } from '../core/failures.js';
import { seesEveryRoom } from '../core/roles.js';
import {
  checkSearchCursor,
  checkSearchLimit,
  highlight,
  parseSearchQuery,
  type SearchTerms,
} from '../core/search.js';
import type { AppId, RoomId, UserRef } from '../core/types.js';
import type { SearchPage, SearchQuery } from './api.js';
import type { Catalog } from './catalog.js';
import type { EngineContext } from './context.js';
import type { MessageDecorator } from './messages.js';
import type { SearchViewer } from './ports/searchStore.js';
import { toMessageView } from './views.js';

/**
 * Full-text search of an app's messages (docs/protocol.md `search`, docs/storage.md "Search"): for a user, in
 * the rooms they may see (public rooms, and private ones they are a member of, or all for admins and owners,
 * as catalog.canSee); for the operator, in every room. Newest first, paged by message id, each hit with its text
 * HTML-escaped and the matched words marked. Deleted messages are never found.
 */
export class Search {
  constructor(
    private readonly ctx: EngineContext,
    private readonly catalog: Pick<Catalog, 'getApp' | 'findRoom' | 'canSee'>,
    /** What every read of messages adds to them (reactions), as for history: a hit's message is read alike. */
    private readonly decorators: readonly MessageDecorator[] = [],
  ) {}

  /** A user's search; a `room` they may not see answers `forbidden` (as history does). */
  async forUser(appId: AppId, user: UserRef, query: SearchQuery): Promise<SearchPage> {
    const checked = checkQuery(query);
    let roomId: RoomId | undefined;
    if (query.room !== undefined) {
      const room = await this.catalog.findRoom(appId, query.room);
      if (!(await this.catalog.canSee(room, user))) throw roomIsPrivate();
      roomId = room.id;
    }
    return this.run(appId, checked, roomId, { userId: user.id, everyRoom: seesEveryRoom(user.role) });
  }

  /** The operator's search: every room of the app, private ones included. */
  async forApp(appId: AppId, query: SearchQuery): Promise<SearchPage> {
    const checked = checkQuery(query);
    await this.catalog.getApp(appId);
    const roomId = query.room === undefined ? undefined : (await this.catalog.findRoom(appId, query.room)).id;
    return this.run(appId, checked, roomId, null);
  }

  private async run(
    appId: AppId,
    query: CheckedQuery,
    roomId: RoomId | undefined,
    viewer: SearchViewer | null,
  ): Promise<SearchPage> {
    const { terms, limit, before } = query;
    // A query of punctuation only has no word to look for: nothing matches, and storage is not asked.
    if (terms.words.length === 0) return { hits: [], nextCursor: null };
    const rows = await this.ctx.store.search.search({
      appId,
      words: terms.words,
      prefix: terms.prefix,
      viewer,
      limit,
      ...(roomId === undefined ? {} : { roomId }),
      ...(before === undefined ? {} : { beforeId: before }),
    });
    const hits = rows.map(({ message, roomName }) => ({
      message: toMessageView(message, roomName),
      highlight: highlight(message.text, terms),
    }));
    // `me` in reactions for the user searching; the operator reads as no one.
    const readerId = viewer?.userId ?? null;
    const views = hits.map((hit) => hit.message);
    if (views.length > 0) for (const decorate of this.decorators) await decorate(views, readerId);
    const last = hits[hits.length - 1];
    return { hits, nextCursor: hits.length === limit && last ? last.message.id : null };
  }
}

interface CheckedQuery {
  terms: SearchTerms;
  limit: number;
  before: number | undefined;
}

/** Every field checked before anything is read: `bad_request` naming the field. */
function checkQuery(query: SearchQuery): CheckedQuery {
  return {
    terms: parseSearchQuery(query.q),
    limit: checkSearchLimit(query.limit),
    before: checkSearchCursor(query.before),
  };
}
