/** What the widget tells people when something ends or fails. */

export const CLOSE_TEXT: Readonly<Record<string, string>> = {
  kicked: 'A moderator removed you from the chat.',
  banned: 'You are banned from this chat.',
  credentials_expired: 'Your session expired.',
  unauthorized: 'You could not be signed in.',
  app_deleted: 'This chat no longer exists.',
};

/** Why joining with a nickname failed, in words. */
export function guestErrorText(code: string, fallback: string): string {
  switch (code) {
    case 'conflict':
      return 'That nickname belongs to someone else. Try another one.';
    case 'guests_disabled':
      return 'This chat needs you to sign in.';
    case 'banned':
      return 'You are banned from this chat.';
    case 'connect_failed':
      return 'Could not reach the chat server. Try again in a moment.';
    case 'bad_request':
      return 'Use 1–32 letters, digits, _ . or -.';
    default:
      return fallback;
  }
}
