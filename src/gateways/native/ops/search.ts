/**
 * The native `search` operation (docs/protocol.md [proto.search]): full-text search of the messages in the
 * rooms the user may see. The engine checks the query's exact rules (1-200 characters, the limit, the cursor);
 * the schema only bounds what a frame may carry.
 */
import { z } from 'zod';
import { SEARCH_LIMIT_MAX } from '../../../core/search.js';
import type { SearchPage } from '../../../engine/api.js';
import type { NativeOp } from '../../../protocol/native.js';
import type { SearchPage as WireSearchPage } from '../../../protocol/search.js';
import { toWireMessage } from '../wire.js';
import { defineOp, messageId, room, type Operation } from './define.js';

/** Bounds on what a frame may carry: a query well past its 200 characters (room and cursor as everywhere). */
const QUERY_MAX = 1024;

function toWireSearch(page: SearchPage): WireSearchPage {
  return {
    hits: page.hits.map((hit) => ({ message: toWireMessage(hit.message), highlight: hit.highlight })),
    nextCursor: page.nextCursor,
  };
}

export const searchOps = {
  search: defineOp('search', {
    schema: z.strictObject({
      q: z.string().max(QUERY_MAX),
      room: room.optional(),
      before: messageId.optional(),
      limit: z.number().int().min(1).max(SEARCH_LIMIT_MAX).optional(),
    }),
    async handle(_ctx, input, session) {
      return toWireSearch(await session.search(input));
    },
  }),
} satisfies Partial<Record<NativeOp, Operation>>;
