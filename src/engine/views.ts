import { DM_ROOM_NAME } from '../core/names.js';
import { profileFields } from '../core/profiles.js';
import type { Room, User, UserRef } from '../core/types.js';
import type { RoomRef, RoomView } from './events.js';

export { toMessageView } from '../core/messageView.js';

export function toRoomRef(room: Room): RoomRef {
  return { id: room.id, name: room.name };
}

export function toRoomView(room: Room, lastSeq: number, online: number): RoomView {
  return {
    id: room.id,
    name: room.name,
    visibility: room.visibility,
    topic: room.topic,
    createdAt: room.createdAt,
    lastSeq,
    online,
    createdBy: room.createdBy,
    ...(DM_ROOM_NAME.test(room.name) ? { dm: true as const } : {}),
    ...(room.slowModeSeconds ? { slowModeSeconds: room.slowModeSeconds } : {}),
    ...(room.retentionDays === undefined ? {} : { retentionDays: room.retentionDays }),
  };
}

export function refOf(user: User): UserRef {
  const ref: UserRef = { id: user.id, username: user.username, role: user.role, ...profileFields(user) };
  if (user.kind === 'bot') ref.bot = true;
  return ref;
}
