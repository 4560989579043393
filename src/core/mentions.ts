/**
 * Mentions and read markers: the rules, without I/O. A message's `@username`s are read from its text when it is
 * posted; the engine keeps those that name existing users of the app (see src/engine/mentions.ts).
 */
import { usernameKey } from './names.js';

/** A message mentions at most this many users: the first ones named, in the order of the text. */
export const MAX_MENTIONS = 20;

/**
 * At most this many distinct `@names` of one message are looked up (one query); names after them are not
 * read. The first MAX_MENTIONS of those that name existing users are kept.
 */
export const MAX_MENTION_CANDIDATES = 100;

/** The `mention` event quotes at most this many characters (code points) of the message. */
export const MENTION_EXCERPT_LENGTH = 100;

/** Read markers are written to storage at most once per this many ms per user and room (newest kept). */
export const READ_MARKER_FLUSH_MS = 1000;

// `@` not preceded by a name character (so that `me@example.com` mentions nobody), then a username.
const MENTION = /(?<![\p{L}\p{N}_.@-])@([\p{L}\p{N}_.-]{1,32})/gu;

/**
 * The distinct names the text mentions, in the order of first appearance, compared without regard to case,
 * at most MAX_MENTION_CANDIDATES. Trailing dots and dashes are not part of a name (`thanks @bob.` names bob).
 */
export function mentionCandidates(text: string): string[] {
  if (!text.includes('@')) return [];
  const seen = new Set<string>();
  const names: string[] = [];
  for (const match of text.matchAll(MENTION)) {
    const name = (match[1] ?? '').replace(/[.-]+$/u, '');
    const key = usernameKey(name);
    if (name.length === 0 || seen.has(key)) continue;
    seen.add(key);
    names.push(name);
    if (names.length >= MAX_MENTION_CANDIDATES) break;
  }
  return names;
}

/** What a `mention` event quotes of the message: its first MENTION_EXCERPT_LENGTH characters. */
export function mentionExcerpt(text: string): string {
  const chars = [...text];
  return chars.length <= MENTION_EXCERPT_LENGTH
    ? text
    : `${chars.slice(0, MENTION_EXCERPT_LENGTH).join('')}…`;
}
