import { badField } from './failures.js';

/**
 * Reactions: one emoji a reaction, per user and message. The rules here are pure; the engine's reactions part
 * (engine/reactions.ts) applies them.
 */

/** The longest emoji accepted, in UTF-16 code units (the longest RGI sequences, ZWJ families, are about 25). */
export const EMOJI_MAX_LENGTH = 32;

/** How many distinct emoji a message may carry by default (the app setting `maxReactionEmoji`). */
export const DEFAULT_MAX_REACTION_EMOJI = 20;
/** The bounds of `maxReactionEmoji`. */
export const MAX_REACTION_EMOJI_LIMIT = 100;

// Exactly one RGI emoji (Unicode's "recommended for general interchange" set: single emoji, skin-tone
// modifier sequences, flags, keycaps, tag sequences and ZWJ sequences). Built with RegExp so that the `v` flag
// (Node 20) is not held to the compile target.
const ONE_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');

// The RGI test is a large regular expression, and a chat uses a few emoji again and again: the ones accepted
// are remembered (a bounded set: whatever is sent beyond it is tested each time).
const KNOWN_EMOJI = new Set<string>();
const KNOWN_EMOJI_MAX = 2048;

/** True when `value` is exactly one RGI emoji (within EMOJI_MAX_LENGTH). */
export function isEmoji(value: string): boolean {
  if (KNOWN_EMOJI.has(value)) return true;
  const ok = value.length > 0 && value.length <= EMOJI_MAX_LENGTH && ONE_EMOJI.test(value);
  if (ok && KNOWN_EMOJI.size < KNOWN_EMOJI_MAX) KNOWN_EMOJI.add(value);
  return ok;
}

/**
 * The emoji of a reaction: exactly one RGI emoji, as sent (no normalisation: "❤" without its variation
 * selector is not RGI and is refused; "❤️" is accepted). Anything else is `bad_request` naming `emoji`.
 */
export function checkEmoji(value: unknown): string {
  if (typeof value !== 'string' || !isEmoji(value)) {
    throw badField('emoji', 'emoji must be exactly one emoji');
  }
  return value;
}
