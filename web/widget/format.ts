/** Small display helpers: times, avatars, names. */

import { tx } from './i18n/scope.js';

export function shortTime(ms: number): string {
  return tx().shortTime(ms);
}

export function fullTime(ms: number): string {
  return tx().fullTime(ms);
}

/** A stable hue for a username, so that everyone sees the same colour for the same person. */
export function hueOf(name: string): number {
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) | 0;
  return Math.abs(hash) % 360;
}

export function initialOf(name: string): string {
  return (name.match(/[\p{L}\p{N}]/u)?.[0] ?? '?').toUpperCase();
}

/** Usernames as the server accepts them: 1–32 letters, digits, `_`, `.` or `-`. */
export const USERNAME = /^[A-Za-z0-9_.-]{1,32}$/;

/** "alice is typing…", "alice and bob are typing…", "3 people are typing…". */
export function typingText(names: string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return tx().t('typingOne', { name: names[0] ?? '' });
  if (names.length === 2) return tx().t('typingTwo', { first: names[0] ?? '', second: names[1] ?? '' });
  return tx().n('typingMany', names.length);
}

export function until(ms: number | null): string {
  return ms === null ? tx().t('mutedForNow') : tx().t('mutedUntil', { time: shortTime(ms) });
}

/** An error in words (the client's errors carry the server's message). */
export function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
