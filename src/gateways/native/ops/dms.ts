/** The native operations of direct messages and blocking (docs/protocol.md [proto.dms]). */
import { z } from 'zod';
import type { DmView as EngineDmView } from '../../../engine/api.js';
import type { DmView as WireDmView } from '../../../protocol/native.js';
import { defineOp, empty, user, type Operation } from './define.js';

/** True only when A and B are the same type: the engine's DM view is the wire's. */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export type DmWireAgreement = Equals<EngineDmView, WireDmView> extends true ? true : never;
const agreed: DmWireAgreement = true;
void agreed;

const target = z.strictObject({ user });

export const dmOps: Record<'dm.open' | 'dm.list' | 'block' | 'unblock' | 'blocks', Operation> = {
  'dm.open': defineOp('dm.open', {
    schema: target,
    handle: async (_ctx, input, session) => ({ room: await session.openDm(input.user) }),
  }),
  'dm.list': defineOp('dm.list', {
    schema: empty,
    handle: async (_ctx, _input, session) => ({ dms: await session.listDms() }),
  }),
  block: defineOp('block', {
    schema: target,
    handle: async (_ctx, input, session) => ({ user: await session.block(input.user) }),
  }),
  unblock: defineOp('unblock', {
    schema: target,
    async handle(_ctx, input, session) {
      await session.unblock(input.user);
      return {};
    },
  }),
  blocks: defineOp('blocks', {
    schema: empty,
    handle: async (_ctx, _input, session) => ({ users: await session.blocks() }),
  }),
};
