/**
 * The native operations of replies and pins: the thread view of a message (`replies`), pinning (`pin`,
 * `unpin`, mods and above) and the room's pinned messages (`pins`). Writing a reply is `send` with `replyTo`.
 */
import { z } from 'zod';
import type { PinView } from '../../../engine/events.js';
import type { PinView as WirePinView } from '../../../protocol/views.js';
import { toWireHistory } from '../wire.js';
import { defineOp, messageId, oneCursor, pageFields, room, type Operation } from './define.js';

/** The engine's pin is the wire's: checked by the compiler, nothing copied. */
function toWirePin(pin: PinView): WirePinView {
  return pin;
}

const oneMessage = z.strictObject({ room, id: messageId });

export const threadOps: Record<'replies' | 'pin' | 'unpin' | 'pins', Operation> = {
  replies: defineOp('replies', {
    schema: oneCursor(z.strictObject({ room, id: messageId, ...pageFields })),
    async handle(_ctx, input, session) {
      const { room: name, id, ...query } = input;
      return toWireHistory(await session.replies(name, id, query));
    },
  }),
  pin: defineOp('pin', {
    schema: oneMessage,
    async handle(_ctx, input, session) {
      return { pin: toWirePin(await session.pin(input.room, input.id)) };
    },
  }),
  unpin: defineOp('unpin', {
    schema: oneMessage,
    async handle(_ctx, input, session) {
      await session.unpin(input.room, input.id);
      return {};
    },
  }),
  pins: defineOp('pins', {
    schema: z.strictObject({ room }),
    async handle(_ctx, input, session) {
      return { pins: (await session.pins(input.room)).map(toWirePin) };
    },
  }),
};
