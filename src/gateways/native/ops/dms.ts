/**
 * The native operations of direct messages and blocking (docs/protocol.md [proto.dms]): their schemas and
 * handlers, made into table entries by defineOp in ../operations.ts (which this file does not import, so that
 * the two make no cycle).
 */
import { z } from 'zod';
import type { DmView as EngineDmView, Session } from '../../../engine/api.js';
import type { DmView as WireDmView, OpResult } from '../../../protocol/native.js';

/** True only when A and B are the same type: the engine's DM view is the wire's. */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export type DmWireAgreement = Equals<EngineDmView, WireDmView> extends true ? true : never;
const agreed: DmWireAgreement = true;
void agreed;

/** A username, bounded as in the other operations (LIMITS.username); the engine applies the exact rule. */
const user = z.string().min(1).max(64);
const target = z.strictObject({ user });
const empty = z.strictObject({});

export const dmOps = {
  open: {
    schema: target,
    async handle(
      _ctx: unknown,
      input: z.output<typeof target>,
      session: Session,
    ): Promise<OpResult<'dm.open'>> {
      return { room: await session.openDm(input.user) };
    },
  },
  list: {
    schema: empty,
    async handle(_ctx: unknown, _input: unknown, session: Session): Promise<OpResult<'dm.list'>> {
      return { dms: await session.listDms() };
    },
  },
  block: {
    schema: target,
    async handle(
      _ctx: unknown,
      input: z.output<typeof target>,
      session: Session,
    ): Promise<OpResult<'block'>> {
      return { user: await session.block(input.user) };
    },
  },
  unblock: {
    schema: target,
    async handle(
      _ctx: unknown,
      input: z.output<typeof target>,
      session: Session,
    ): Promise<OpResult<'unblock'>> {
      await session.unblock(input.user);
      return {};
    },
  },
  blocks: {
    schema: empty,
    async handle(_ctx: unknown, _input: unknown, session: Session): Promise<OpResult<'blocks'>> {
      return { users: await session.blocks() };
    },
  },
};
