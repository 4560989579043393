/**
 * The native operations of read state: `read` moves the user's read marker in a room forward. Each entry is a
 * spec that operations.ts turns into a table entry with defineOp (which checks the schema against the
 * protocol's request type); this file imports nothing of the table, so that there is no import cycle.
 */
import { z } from 'zod';
import type { Session } from '../../../engine/api.js';
import type { OpResult } from '../../../protocol/native.js';

/** As operations.ts bounds room names (LIMITS.room); the engine applies the exact name rules. */
const room = z.string().min(1).max(128);
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const readSchema = z.strictObject({ room, seq });
const receiptsSchema = z.strictObject({ room });

export const readOps = {
  read: {
    schema: readSchema,
    async handle(
      _ctx: unknown,
      input: z.output<typeof readSchema>,
      session: Session,
    ): Promise<OpResult<'read'>> {
      return session.read(input.room, input.seq);
    },
  },
  receipts: {
    schema: receiptsSchema,
    async handle(
      _ctx: unknown,
      input: z.output<typeof receiptsSchema>,
      session: Session,
    ): Promise<OpResult<'receipts'>> {
      return session.receipts(input.room);
    },
  },
};
