import { ParleyError } from './errors.js';

/**
 * Every failure situation the engine reports, named once with its code and its wording, so that one situation
 * never reads two ways. The catalogue (errors.ts) holds the codes; this file holds the situations. Gateways
 * and tests match some of these texts: change one only together with them.
 */

export const noSuchApp = () => new ParleyError('not_found', 'No such app');
/** Without a name when the one who fails knows only the id (storage). */
export const roomNotFound = (name?: string) =>
  new ParleyError('not_found', name === undefined ? 'No such room' : `No room named ${name}`);
export const userNotFound = (name?: string) =>
  new ParleyError('not_found', name === undefined ? 'No such user' : `No user named ${name}`);
export const messageNotFound = () => new ParleyError('not_found', 'No such message in this room');
export const messageDeleted = () => new ParleyError('not_found', 'The message was deleted');
export const notMuted = () => new ParleyError('not_found', 'User not in mutelist');
export const notBanned = () => new ParleyError('not_found', 'User is not banned');

export const notJoined = (room: string) => new ParleyError('not_joined', `Join ${room} first`);
export const roomIsPrivate = () => new ParleyError('forbidden', 'This room is private');
export const mayNotCreateRooms = () => new ParleyError('forbidden', 'Guests cannot create rooms');
export const editOwnOnly = () => new ParleyError('forbidden', 'You can only edit your own messages');
export const deleteOwnOnly = () => new ParleyError('forbidden', 'You can only delete your own messages');
export const guestsHaveNoProfile = () => new ParleyError('forbidden', 'Guests cannot set a profile');
export const profilesLocked = () =>
  new ParleyError('forbidden', 'This app does not let users set their own profile');
export const staffOnlyMuteList = () => new ParleyError('forbidden', 'Only moderators see the mute list');
export const staffOnly = () => new ParleyError('forbidden', 'Only moderators can do that');
export const notOnYourself = () => new ParleyError('forbidden', 'You cannot do that to yourself');
export const outranked = (role: string) =>
  new ParleyError('forbidden', `You cannot moderate a user with the role ${role}`);

export const sessionClosed = () => new ParleyError('unauthorized', 'The session is closed');
export const signInRequired = () => new ParleyError('unauthorized', 'Sign in to do that');
export const credentialsOfAnotherUser = () =>
  new ParleyError('unauthorized', 'The new credentials are for another user');
/** `upgrade` is how a guest becomes a user: a session signed in otherwise has nothing to upgrade. */
export const onlyGuestsUpgrade = () =>
  new ParleyError('forbidden', 'Only a guest session can upgrade; use refresh for new credentials');
/** The credentials given to `upgrade` are of a guest: a guest upgrades to an account or a site's user only. */
export const upgradeToGuest = () =>
  new ParleyError('forbidden', 'A guest upgrades to an account or a site user, not to another guest');
export const nicknameInUse = () => new ParleyError('conflict', 'That nickname is in use');
export const shuttingDown = () => new ParleyError('unavailable', 'The server is shutting down');
/** Storage failed (disk full, read-only, locked, unreachable) and has not yet passed a probe since. */
export const storageUnavailable = () =>
  new ParleyError('unavailable', 'Storage is unavailable; nothing was saved, try again shortly');
/** The SQLite message writer has as many appends waiting as it takes (docs/storage.md): this one was not saved. */
export const writerOverloaded = () =>
  new ParleyError(
    'unavailable',
    'Too many messages are waiting to be saved; nothing was saved, try again shortly',
  );
/**
 * The SQLite message writer's thread stopped and is being restarted. An append it was running may or may not
 * have committed: a retry with the same clientMsgId is answered with the original if it did.
 */
export const writerRestarting = () =>
  new ParleyError('unavailable', 'Message storage is restarting; try again shortly');

export const banned = (reason?: string) =>
  new ParleyError('banned', reason ? `You are banned: ${reason}` : undefined);
export const guestReadOnly = () => new ParleyError('guest_read_only');
export const guestLimit = (max: number) =>
  new ParleyError('guest_limit', `This app keeps at most ${max} guests and all of them are in use`, { max });
export const rateLimited = (retryAfterMs: number) =>
  new ParleyError('rate_limited', undefined, { retryAfterMs });
/** A node's queue of messages waiting to be stored (PostgreSQL group commit) holds `max`: nothing was stored. */
export const appendQueueFull = (max: number) =>
  new ParleyError('rate_limited', 'Too many messages are waiting to be stored, slow down', { max });
/** A connection refused for a limit on connections; the client waits `retryAfterMs` (plus jitter) before trying again. */
export const connectionLimit = (message: string, retryAfterMs: number) =>
  new ParleyError('connection_limit', message, { retryAfterMs });
/**
 * A send inside the room's slow-mode interval: `retryAfterMs` says when the next one will pass (shaped as
 * `rate_limited` carries its hint), `slowModeSeconds` the room's interval.
 */
export const slowMode = (retryAfterMs: number, slowModeSeconds: number) =>
  new ParleyError(
    'slow_mode',
    `This room is in slow mode: you can send again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s`,
    { retryAfterMs, slowModeSeconds },
  );
/** The content filter refused the message; `reason` says whether for a phrase or a link, never which phrase. */
export const messageFiltered = (reason: 'phrase' | 'link') =>
  new ParleyError(
    'message_filtered',
    reason === 'link'
      ? 'Links are not allowed for you in this app yet'
      : 'Your message contains something that is not allowed here',
    { reason },
  );
export const muted = (duration: string, expiresAt: number | null) =>
  new ParleyError('muted', `You are muted ${duration}`, { expiresAt });

/** A field that is missing or malformed: `bad_request` naming the field. */
export const badField = (field: string, message: string) =>
  new ParleyError('bad_request', message, { field });

/** One more distinct emoji than the app's `maxReactionEmoji` on a message. */
export const tooManyReactions = (max: number) =>
  new ParleyError('too_many_reactions', `A message can have at most ${max} different reactions`, { max });

/** The app's pre-send hook refused the message; its reason (bounded) is the text the sender sees. */
export const messageRejected = (reason: string) =>
  new ParleyError('message_rejected', reason.length > 0 ? reason : 'The message was refused', { reason });
