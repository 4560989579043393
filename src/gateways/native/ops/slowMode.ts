/** The native operation of a room's slow mode (docs/protocol.md [proto.slow-mode]). */
import { z } from 'zod';
import { MAX_SLOW_MODE_SECONDS } from '../../../core/slowMode.js';
import { toWireRoom } from '../wire.js';
import { defineOp, room, type Operation } from './define.js';

export const slowModeOps: Record<'rooms.slow_mode', Operation> = {
  'rooms.slow_mode': defineOp('rooms.slow_mode', {
    schema: z.strictObject({ room, seconds: z.number().int().min(0).max(MAX_SLOW_MODE_SECONDS) }),
    handle: async (_ctx, input, session) => ({
      room: toWireRoom(await session.setSlowMode(input.room, input.seconds)),
    }),
  }),
};
