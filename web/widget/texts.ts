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

/** Replies, reactions and the unread badge. */
export const SOCIAL_TEXT = {
  reply: 'Reply',
  replyTo: (name: string) => `Reply to ${name}`,
  replyingTo: 'Replying to',
  cancelReply: 'Cancel reply',
  deletedQuote: 'deleted message',
  goToQuoted: (name: string) => `Go to the message from ${name} this replies to`,
  quoted: (name: string) => `In reply to ${name}`,
  replies: (n: number) => `${n} ${n === 1 ? 'reply' : 'replies'}`,
  react: 'React',
  reactTo: (name: string) => `Add a reaction to the message from ${name}`,
  picker: 'Pick a reaction',
  closePicker: 'Close',
  reactions: 'Reactions',
  chip: (emoji: string, count: number, me: boolean) =>
    `${emoji} ${count} ${count === 1 ? 'reaction' : 'reactions'}${me ? ', yours: press to remove' : ': press to add yours'}`,
  unread: (n: number) => `${n} unread`,
  couldNotReact: 'Could not react',
} as const;

/** The emoji the picker offers, with their names for screen readers. */
export const PICKER_EMOJI: readonly (readonly [string, string])[] = [
  ['👍', 'thumbs up'],
  ['❤️', 'heart'],
  ['😂', 'laughing'],
  ['😮', 'surprised'],
  ['😢', 'sad'],
  ['🎉', 'party'],
  ['🙏', 'thanks'],
  ['👀', 'eyes'],
];
