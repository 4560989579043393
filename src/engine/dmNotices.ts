import { dmMembers } from './dms.js';
import type { Room } from '../core/types.js';
import type { MessageView } from './events.js';
import type { MentionDeps } from './mentions.js';
import { toRoomRef } from './views.js';

/**
 * A DM is written to its other member: when that member is online but not in the DM room (on any node), their
 * connections hear `dm_message` with the message, so that a list of DMs and its unread badge follow at once
 * (in the room, the message itself says it). Nothing is stored: the unread count is the read state's.
 */
export class DmNotices {
  constructor(private readonly deps: Pick<MentionDeps, 'isOnline' | 'inRoom' | 'userEvent'>) {}

  /** After the message was committed and fanned out. */
  notify(room: Room, message: MessageView): void {
    const members = dmMembers(room);
    const author = message.author;
    if (members === null || author === null) return;
    const peer = members[0] === author.id ? members[1] : members[0];
    if (peer === author.id || !this.deps.isOnline(room.appId, peer) || this.deps.inRoom(room, peer)) return;
    this.deps.userEvent(room.appId, peer, { type: 'dm_message', room: toRoomRef(room), message });
  }
}
