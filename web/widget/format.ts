/** Small display helpers: times, avatars, names. */

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function shortTime(ms: number): string {
  return timeFormat.format(ms);
}

export function fullTime(ms: number): string {
  return fullFormat.format(ms);
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
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

export function until(ms: number | null): string {
  return ms === null ? 'until further notice' : `until ${shortTime(ms)}`;
}

/** An error in words (the client's errors carry the server's message). */
export function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
