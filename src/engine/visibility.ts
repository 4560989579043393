import { isStaff } from '../core/roles.js';
import type { UserRef } from '../core/types.js';
import type { EngineEvent, MessageView } from './events.js';

/** Who looks: a session's user, and whether it is an anonymous reader (who has no user of its own). */
export interface Viewer {
  readonly user: UserRef;
  readonly anonymous: boolean;
}

/**
 * The message as `viewer` may see it, or null when they may not. A message not visible to everyone (held,
 * hidden, shadow) is seen only by its author and by staff (mods and above), marked; the author of a shadow
 * message sees it unmarked, as if nothing had happened. Every other message is returned as it is.
 */
export function viewOf(viewer: Viewer, message: MessageView): MessageView | null {
  const visibility = message.visibility;
  if (visibility === undefined) return message;
  if (viewer.anonymous) return null;
  const own = message.author !== null && message.author.id === viewer.user.id;
  if (isStaff(viewer.user.role)) return message;
  if (!own) return null;
  if (visibility !== 'shadow') return message;
  const { visibility: _unmarked, ...plain } = message;
  void _unmarked;
  return plain;
}

/**
 * The event as `viewer` receives it, or null when it carries a message they may not see. Delivery calls this
 * on every node for every session (as blockedSet.ts hidesEvent), so that a message not visible to everyone
 * never leaves the server towards anyone else, whatever the gateway. The shared event object is returned
 * unless the view differs (only for the author of a shadow message).
 */
export function eventFor(viewer: Viewer, event: EngineEvent): EngineEvent | null {
  switch (event.type) {
    case 'message':
    case 'message_edited':
    case 'message_deleted':
    case 'message_pinned':
    case 'message_unpinned':
    case 'message_preview': {
      if (event.message.visibility === undefined) return event;
      const message = viewOf(viewer, event.message);
      if (message === null) return null;
      return message === event.message ? event : { ...event, message };
    }
    default:
      return event;
  }
}

/** The messages of a read (history, replay, thread) that `viewer` may see, as they may see them. */
export function visibleTo(viewer: Viewer, messages: MessageView[]): MessageView[] {
  if (messages.every((m) => m.visibility === undefined)) return messages;
  return messages.flatMap((m) => viewOf(viewer, m) ?? []);
}

/** Items carrying a message (search hits, pins) without those `viewer` may not see. */
export function visibleItems<T extends { message: MessageView }>(viewer: Viewer, items: T[]): T[] {
  if (items.every((item) => item.message.visibility === undefined)) return items;
  return items.flatMap((item) => {
    const message = viewOf(viewer, item.message);
    return message === null ? [] : [{ ...item, message }];
  });
}
