/** The reaction operations of the native table: `react` and `unreact` (see docs/protocol.md). */
import { z } from 'zod';
import { EMOJI_MAX_LENGTH } from '../../../core/reactions.js';
import { toWireReaction } from '../wire.js';
import { defineOp, messageId, room, type Operation } from './define.js';

// The engine checks that `emoji` is exactly one emoji.
const reactionRequest = z.strictObject({
  room,
  id: messageId,
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
