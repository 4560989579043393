import { LOBBY_ROOM } from './apps.js';
import type { Role } from './roles.js';
import type { AppSettings } from './types.js';

/**
 * How a room comes into being: asked for by name (`rooms.create`, the admin API), or by joining a channel
 * that does not exist yet (dialects whose channels are created on first join, as on IRC).
 */
export type RoomCreation = 'explicit' | 'on_join';

/**
 * The one room-creation policy, for every protocol. Members and above may create rooms. A guest may create
 * none explicitly; joining a missing channel creates it for a guest only in an app where guests may write
 * (a guest who may not write could only ever read an empty room). Every app has a lobby: joining it creates it,
 * public, for anyone, a reader without an account included (`role` null).
 */
export function mayCreateRoom(
  role: Role | null,
  how: RoomCreation,
  name: string,
  settings: Pick<AppSettings, 'guestsCanWrite'>,
): boolean {
  if (how === 'on_join' && name === LOBBY_ROOM) return true;
  if (role === null) return false;
  if (role !== 'guest') return true;
  return how === 'on_join' && settings.guestsCanWrite;
}
