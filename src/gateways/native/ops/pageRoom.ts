/** The native operation of page-scoped rooms (docs/protocol.md [proto.rooms.page]). */
import { z } from 'zod';
import { PAGE_URL_MAX } from '../../../core/pageRooms.js';
import { defineOp, type Operation } from './define.js';

export const pageRoomOps: Record<'rooms.page', Operation> = {
  'rooms.page': defineOp('rooms.page', {
    // The core checks the URL and its canonical length; this only bounds what is read at all.
    schema: z.strictObject({
      url: z
        .string()
        .min(1)
        .max(4 * PAGE_URL_MAX),
    }),
    handle: (_ctx, input, session) => session.pageRoom(input.url),
  }),
};
