import { notOnYourself, outranked, staffOnly } from '../core/failures.js';
import { checkMinutes, checkReason } from '../core/moderation.js';
import { canModerate, isStaff } from '../core/roles.js';
import type { AppId, Ban, Mute, Room, User, UserRef } from '../core/types.js';
import type { MuteOptions } from './api.js';

/** Who acts: a user of the app, or the operator holding the admin key (above every role). */
export type Actor = { kind: 'user'; user: UserRef } | { kind: 'operator' };

export function actorRef(actor: Actor): UserRef | null {
  return actor.kind === 'user' ? actor.user : null;
}

/** The role order decides who may act on whom: a mod cannot mute an admin, nobody acts on themselves. */
export function assertMayModerate(actor: Actor, target: User): void {
  if (actor.kind === 'operator') return;
  if (!isStaff(actor.user.role)) throw staffOnly();
  if (actor.user.id === target.id) throw notOnYourself();
  if (!canModerate(actor.user.role, target.role)) {
    throw outranked(target.role);
  }
}

/** What a mute and a ban share: who, how long, why, by whom and when. */
function sanction(
  appId: AppId,
  target: User,
  opts: { minutes?: number; reason?: string },
  actor: Actor,
  now: number,
) {
  const minutes = checkMinutes(opts.minutes);
  return {
    appId,
    userId: target.id,
    expiresAt: minutes === null ? null : now + minutes * 60_000,
    reason: checkReason(opts.reason),
    by: actor.kind === 'user' ? actor.user.id : null,
    createdAt: now,
  };
}

export function buildMute(
  appId: AppId,
  target: User,
  room: Room | null,
  opts: MuteOptions,
  actor: Actor,
  now: number,
): Mute {
  return { ...sanction(appId, target, opts, actor, now), roomId: room ? room.id : null };
}

export function buildBan(
  appId: AppId,
  target: User,
  opts: { minutes?: number; reason?: string },
  actor: Actor,
  now: number,
): Ban {
  return sanction(appId, target, opts, actor, now);
}

export function describeDuration(expiresAt: number | null, now: number): string {
  if (expiresAt === null) return 'until lifted';
  const minutes = Math.max(1, Math.round((expiresAt - now) / 60_000));
  return `for ${minutes} minute${minutes === 1 ? '' : 's'}`;
}
