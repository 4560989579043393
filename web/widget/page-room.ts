/**
 * `room="auto"` (`data-room="auto"`): the widget chats in the room of the page it is on, one room per page,
 * which the server names and creates on first use where the app allows it (`rooms.page`, docs/protocol.md
 * [proto.rooms.page]). The server canonicalises the URL (fragment and unkept query parameters dropped), so the
 * page's own address is sent as it is.
 */
import type { ParleyClient } from '../../src/client/index.js';
import type { ConversationsController } from './conversations.js';
import { pageRoomLabel } from './texts.js';
import { nameOf } from './views/avatar.js';

export const AUTO_ROOM = 'auto';

/** The room to join: the given one, or for `auto` the room of this page. */
export async function resolveRoom(client: ParleyClient, room: string): Promise<string> {
  return room === AUTO_ROOM ? (await client.pageRoom(location.href)).room : room;
}

/** How the room is named to the reader: `auto` is "this page" (its real name is a hash). */
export function roomLabel(room: string): string {
  return room === AUTO_ROOM ? pageRoomLabel() : room;
}

export interface RoomHeading {
  prefix: '#' | '@';
  label: string;
}

/** The room's title: the host's label on the home room, the other person's name in a DM. */
export function roomHeading(room: string, convo: ConversationsController, label: string): RoomHeading {
  const peer = convo.peerOf(room);
  if (peer || room.startsWith('dm:')) return { prefix: '@', label: peer ? nameOf(peer) : room };
  const home = convo.home === null || convo.home === room;
  return { prefix: '#', label: (home && label) || roomLabel(room) };
}

/** `#lobby` or `@alice`: the composer's and the list's name for the room. */
export function roomTitle({ prefix, label }: RoomHeading, room: string): string {
  return prefix === '@' ? `@${label}` : `#${roomLabel(room)}`;
}
