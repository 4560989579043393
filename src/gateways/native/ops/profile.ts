/** The native operation of one's own profile (docs/protocol.md [proto.profile]). */
import { z } from 'zod';
import { AVATAR_URL_MAX } from '../../../core/profiles.js';
import { defineOp, type Operation } from './define.js';

// Bounds only: the engine applies the exact rules (trimmed length, control characters, https) with their code.
const field = (max: number) => z.string().max(max).nullable().optional();

export const profileOps: Record<'profile.set', Operation> = {
  'profile.set': defineOp('profile.set', {
    schema: z.strictObject({ displayName: field(1024), avatarUrl: field(AVATAR_URL_MAX * 4) }),
    handle: async (_ctx, input, session) => ({ user: await session.setProfile(input) }),
  }),
};
