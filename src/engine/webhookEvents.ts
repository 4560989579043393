import type { AppId, ModerationRecord, Room, User, UserRef } from '../core/types.js';
import type { EngineEvent } from './events.js';
import type { PresencePlace } from './presenceDirectory.js';
import { toRoomRef } from './views.js';
import { APP_KEY, roomKey, type Webhooks } from './webhooks.js';

/**
 * The webhook events other than message changes, turned from what the parts tell (docs/webhooks.md, "Events").
 * Each is written by the node where the change happened, once, just after it committed.
 */
export function webhookEvents(webhooks: Pick<Webhooks, 'emit'>) {
  return {
    /** Room and staff events this node originates (Broadcast.tap). */
    tap(appId: AppId, room: Room | null, event: EngineEvent): void {
      if (event.type === 'reaction_changed' && room) {
        const { messageId, emoji, count, user, added } = event;
        const data = { room: toRoomRef(room), messageId, emoji, count, user, added };
        webhooks.emit(appId, 'reaction.changed', roomKey(room.id), data);
      } else if (event.type === 'report_created') {
        const { room: ref, messageId, reporters, reason } = event;
        webhooks.emit(appId, 'report.created', roomKey(ref.id), { room: ref, messageId, reporters, reason });
      }
    },
    /** A user came into a room or left it, cluster-wide (Presence, after the grace period). */
    membership(place: PresencePlace, user: UserRef, present: boolean): void {
      if (place.roomId === null) return;
      const room = { id: place.roomId, name: place.roomName };
      const type = present ? 'member.joined' : 'member.left';
      webhooks.emit(place.appId, type, roomKey(place.roomId), { room, user });
    },
    moderation(entry: Omit<ModerationRecord, 'id'>): void {
      const { appId, kind, actorId, targetId, roomId, detail } = entry;
      const key = roomId === null ? APP_KEY : roomKey(roomId);
      webhooks.emit(appId, `moderation.${kind}`, key, { kind, actorId, targetId, roomId, detail });
    },
    userCreated(appId: AppId, user: User): void {
      const { id, username, role, kind, createdAt } = user;
      webhooks.emit(appId, 'user.created', APP_KEY, { user: { id, username, role, kind, createdAt } });
    },
  };
}
