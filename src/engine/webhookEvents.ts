import type { QueueReason } from '../core/reports.js';
import type { AppId, ModerationRecord, Room, User, UserRef } from '../core/types.js';
import type { QueueEntryRecord } from './ports/reportStore.js';
import type { EventOutbox } from './ports/webhookStore.js';
import type { PresencePlace } from './presenceDirectory.js';
import { toRoomRef } from './views.js';
import { APP_KEY, roomKey, type Webhooks } from './webhooks.js';

type Outbox<T> = Promise<EventOutbox<T> | undefined>;

/**
 * The webhook events other than message changes (docs/webhooks.md, "Events"), as the parts ask for them. A part
 * hands the outbox to its store write, which writes the event in the change's own transaction (undefined when no
 * endpoint wants the event: the write costs nothing more), then calls `queued` once the write committed.
 */
export interface WebhookEvents {
  /** `reaction.changed`, made from the emoji's count as the add or remove left it. */
  reaction(room: Room, user: UserRef, messageId: number, emoji: string, added: boolean): Outbox<number>;
  /** `report.created`, made from the message's queue entry as the report (or the hold) left it. */
  report(room: Room, reason: QueueReason): Outbox<QueueEntryRecord>;
  /** `moderation.<kind>`, made from the record as it was written. */
  moderation(entry: Omit<ModerationRecord, 'id'>): Outbox<ModerationRecord>;
  /** `user.created`, made from the new user. */
  userCreated(appId: AppId): Outbox<User>;
  /** Outbox rows were committed: the dispatcher looks now. */
  queued(): void;
  /**
   * A user came into a room or left it, cluster-wide (Presence, after the grace period). No stored change
   * carries presence, so the event is written in a transaction of its own.
   */
  membership(place: PresencePlace, user: UserRef, present: boolean): void;
}

export function webhookEvents(webhooks: Pick<Webhooks, 'emit' | 'eventOutbox' | 'queued'>): WebhookEvents {
  return {
    reaction(room, user, messageId, emoji, added) {
      const who = { id: user.id, username: user.username, role: user.role };
      return webhooks.eventOutbox(room.appId, 'reaction.changed', roomKey(room.id), (count: number) => {
        return { room: toRoomRef(room), messageId, emoji, count, user: who, added };
      });
    },
    report(room, reason) {
      return webhooks.eventOutbox(
        room.appId,
        'report.created',
        roomKey(room.id),
        (entry: QueueEntryRecord) => {
          return { room: toRoomRef(room), messageId: entry.messageId, reporters: entry.reporters, reason };
        },
      );
    },
    moderation(entry) {
      const key = entry.roomId === null ? APP_KEY : roomKey(entry.roomId);
      return webhooks.eventOutbox(
        entry.appId,
        `moderation.${entry.kind}`,
        key,
        (record: ModerationRecord) => {
          const { kind, actorId, targetId, roomId, detail } = record;
          return { kind, actorId, targetId, roomId, detail };
        },
      );
    },
    userCreated(appId) {
      return webhooks.eventOutbox(appId, 'user.created', APP_KEY, (user: User) => {
        const { id, username, role, kind, createdAt } = user;
        return { user: { id, username, role, kind, createdAt } };
      });
    },
    queued: () => webhooks.queued(),
    membership(place, user, present) {
      if (place.roomId === null) return;
      const room = { id: place.roomId, name: place.roomName };
      const type = present ? 'member.joined' : 'member.left';
      webhooks.emit(place.appId, type, roomKey(place.roomId), { room, user });
    },
  };
}
