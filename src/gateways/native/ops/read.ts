/** The native operations of read state: `read` moves the user's read marker in a room forward; `receipts`. */
import { z } from 'zod';
import { defineOp, room, seq, type Operation } from './define.js';

export const readOps: Record<'read' | 'receipts', Operation> = {
  read: defineOp('read', {
    schema: z.strictObject({ room, seq }),
    handle: (_ctx, input, session) => session.read(input.room, input.seq),
  }),
  receipts: defineOp('receipts', {
    schema: z.strictObject({ room }),
    handle: (_ctx, input, session) => session.receipts(input.room),
  }),
};
