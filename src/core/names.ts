import { ParleyError } from './errors.js';
import { badField } from './failures.js';
import { PAGE_ROOM_NAME } from './pageRooms.js';

const USERNAME = /^[\p{L}\p{N}_.-]{1,32}$/u;
const ROOM_NAME = /^[\p{L}\p{N}_.\- ]{1,64}$/u;
/**
 * A direct-message room: `dm:<lower user id>:<higher user id>`. The ":" is outside ROOM_NAME, so no room created
 * by name can take it (the prefix is reserved); such a name can only be looked up (see core/dms.ts).
 */
export const DM_ROOM_NAME = /^dm:[1-9][0-9]{0,15}:[1-9][0-9]{0,15}$/;

/** Usernames are unique per app without regard to case; this is the key they are unique by. */
export function usernameKey(username: string): string {
  return username.toLowerCase();
}

export function checkUsername(value: unknown): string {
  if (typeof value !== 'string' || !USERNAME.test(value)) {
    throw new ParleyError('bad_request', 'username must be 1-32 letters, digits, "_", "." or "-"', {
      field: 'username',
    });
  }
  return value;
}

/**
 * A username to look up (the target of a mute, a membership): held to the same rule as a new username, so that
 * a name that could never have been registered is refused as malformed rather than looked for.
 */
export function checkUsernameLookup(value: unknown): string {
  if (typeof value !== 'string' || !USERNAME.test(value)) throw badField('user', 'user must be a username');
  return value;
}

/** A room name to look up, trimmed, held to the same rule as a new room name. */
export function checkRoomNameLookup(value: unknown): string {
  const name = typeof value === 'string' ? value.trim() : value;
  if (
    typeof name !== 'string' ||
    !(ROOM_NAME.test(name) || DM_ROOM_NAME.test(name) || PAGE_ROOM_NAME.test(name))
  )
    throw badField('room', 'room must be a room name');
  return name;
}

export function checkRoomName(value: unknown): string {
  const name = typeof value === 'string' ? value.trim() : value;
  if (typeof name !== 'string' || !ROOM_NAME.test(name)) {
    throw new ParleyError('bad_request', 'room name must be 1-64 letters, digits, spaces, "_", "." or "-"', {
      field: 'room',
    });
  }
  return name;
}

export function checkPassword(value: unknown): string {
  if (typeof value !== 'string' || value.length < 6 || value.length > 256) {
    throw new ParleyError('bad_request', 'password must be 6-256 characters', { field: 'password' });
  }
  return value;
}
