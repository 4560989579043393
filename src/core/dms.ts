/**
 * Direct messages and blocking: the rules that need no I/O. A DM is a private room of exactly two users, one per
 * pair of users in an app, named after the pair's ids (see DM_ROOM_NAME in names.ts, a name no room created by
 * name can take).
 */
import { ParleyError } from './errors.js';
import { badField } from './failures.js';
import { DM_ROOM_NAME } from './names.js';
import type { App, UserId, UserRef } from './types.js';

/** The pair of a DM, lower id first: the same whichever side opens it. */
export interface DmPair {
  low: UserId;
  high: UserId;
}

export function dmPair(a: UserId, b: UserId): DmPair {
  return a < b ? { low: a, high: b } : { low: b, high: a };
}

export function dmRoomName(pair: DmPair): string {
  return `dm:${pair.low}:${pair.high}`;
}

export function isDmRoomName(name: string): boolean {
  return DM_ROOM_NAME.test(name);
}

/**
 * Whether `user` may open a DM in the app at all: DMs on (`dms`) and, for a guest, `guestDms`. The target is
 * checked by the caller (not oneself, exists, has not blocked the caller).
 */
export function checkMayOpenDm(app: App, user: UserRef): void {
  if (!app.settings.dms) throw new ParleyError('dms_disabled');
  if (user.role === 'guest' && !app.settings.guestDms) {
    throw new ParleyError('dms_disabled', 'Guests cannot open direct messages in this app', { guests: true });
  }
}

export function dmWithSelf(): ParleyError {
  return badField('user', 'a direct message needs another user');
}

export function blockSelf(): ParleyError {
  return badField('user', 'you cannot block yourself');
}

export function blockedByUser(): ParleyError {
  return new ParleyError('blocked');
}

/** Most users one user may block; past it `block` answers bad_request (details.max). */
export const MAX_BLOCKS = 1000;

export function tooManyBlocks(): ParleyError {
  return new ParleyError('bad_request', `at most ${MAX_BLOCKS} users can be blocked`, {
    field: 'user',
    max: MAX_BLOCKS,
  });
}
