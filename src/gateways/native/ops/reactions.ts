/** The reaction operations of the native table: `react` and `unreact` (see docs/protocol.md). */
import { z } from 'zod';
import { EMOJI_MAX_LENGTH } from '../../../core/reactions.js';
import { toWireReaction } from '../wire.js';
import { defineOp, type Operation } from './define.js';

// The room and message id bounds are the table's (LIMITS.room in operations.ts); the engine checks that
// `emoji` is exactly one emoji.
const reactionRequest = z.strictObject({
  room: z.string().min(1).max(128),
  id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  emoji: z.string().min(1).max(EMOJI_MAX_LENGTH),
});

export const reactionOps: Record<'react' | 'unreact', Operation> = {
  react: defineOp('react', {
    schema: reactionRequest,
    async handle(_ctx, input, session) {
      return toWireReaction(await session.react(input.room, input.id, input.emoji));
    },
  }),
  unreact: defineOp('unreact', {
    schema: reactionRequest,
    async handle(_ctx, input, session) {
      return toWireReaction(await session.unreact(input.room, input.id, input.emoji));
    },
  }),
};
