/**
 * The numeric dialect's input rules and the texts its `{type: -1}` errors carry. Where the original server's
 * later versions had a text for a rule, it is used word for word (docs/dialects/numeric.md).
 */

export const NICK_RULE = 'Username should contain 2-20 characters (only letters, numbers and underscores).';
export const CHANNEL_RULE = 'Channel should contain 2-16 characters (only letters, numbers and underscores).';
export const MESSAGE_MAX = 2048;
export const MESSAGE_RULE = `Message should contain 1-${MESSAGE_MAX} characters.`;
export const ALREADY_JOINED = 'You have already joined that channel!';
export const NOT_PRESENT = "You aren't present on that channel!";

/** Later versions: `\w{2,20}` (Python 3's `\w` is Unicode letters, digits and `_`). */
const NICK = /^[\p{L}\p{N}_]{2,20}$/u;
/** Later versions: `\w{2,16}` after the leading `#`s are stripped. */
const CHANNEL = /^[\p{L}\p{N}_]{2,16}$/u;

/** Shown as the author of a message that has none (a system message stored by the server). */
export const SERVER_USER = '[server]';

export function isNick(value: string): boolean {
  return NICK.test(value);
}

/** `#django`, `##django` and `django` are the same channel. */
export function stripChannel(value: string): string {
  return value.replace(/^#+/, '');
}

export function isChannel(value: string): boolean {
  return CHANNEL.test(value);
}

/** Message text as the engine will store it: trimmed, counted in code points as a person counts them. */
export function isMessageText(value: string): boolean {
  const length = [...value.trim()].length;
  return length >= 1 && length <= MESSAGE_MAX;
}

/** The time field of every frame the server sends: seconds since the epoch, as Python's time.time(). */
export function secondsOf(ms: number): number {
  return ms / 1000;
}
