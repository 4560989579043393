/**
 * `room="auto"` (`data-room="auto"`): the widget chats in the room of the page it is on, one room per page,
 * which the server names and creates on first use where the app allows it (`rooms.page`, docs/protocol.md
 * [proto.rooms.page]). The server canonicalises the URL (fragment and unkept query parameters dropped), so the
 * page's own address is sent as it is.
 */
import type { ParleyClient } from '../../src/client/index.js';
import { pageRoomLabel } from './texts.js';

export const AUTO_ROOM = 'auto';

/** The room to join: the given one, or for `auto` the room of this page. */
export async function resolveRoom(client: ParleyClient, room: string): Promise<string> {
  return room === AUTO_ROOM ? (await client.pageRoom(location.href)).room : room;
}

/** How the room is named to the reader: `auto` is "this page" (its real name is a hash). */
export function roomLabel(room: string): string {
  return room === AUTO_ROOM ? pageRoomLabel() : room;
}
