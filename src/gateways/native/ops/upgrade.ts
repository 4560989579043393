/** `upgrade`: a guest signs in on its live connection and becomes that user in place (engine/upgrade.ts). */
import { z } from 'zod';
import type { UpgradeRequest } from '../../../engine/api.js';
import type { OpResult } from '../../../protocol/native.js';
import { toWireUser } from '../wire.js';
import { defineOp, LIMITS, user, type Operation } from './define.js';

const upgradeSchema = z.union([
  z.strictObject({ token: z.string().min(1).max(LIMITS.token) }),
  z.strictObject({ jwt: z.string().min(1).max(LIMITS.jwt) }),
  z.strictObject({
    username: user,
    password: z.string().min(1).max(LIMITS.password),
    register: z.boolean().optional(),
  }),
]);

function toRequest(input: z.output<typeof upgradeSchema>): UpgradeRequest {
  if ('token' in input) return { kind: 'token', token: input.token };
  if ('jwt' in input) return { kind: 'jwt', jwt: input.jwt };
  return { kind: 'password', ...input };
}

export const upgradeOps: Record<'upgrade', Operation> = {
  upgrade: defineOp('upgrade', {
    schema: upgradeSchema,
    async handle(_ctx, input, session) {
      const { principal, token } = await session.upgrade(toRequest(input));
      const result: OpResult<'upgrade'> = {
        user: toWireUser(principal.user),
        expiresAt: principal.expiresAt,
      };
      if (token !== undefined) result.token = token;
      return result;
    },
  }),
};
