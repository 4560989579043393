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

/** Direct messages, blocking, search, pins and avatars. */
export const CONVO_TEXT = {
  avatarOf: (name: string) => `${name}'s avatar`,
  chats: 'Direct messages',
  openChats: (unread: number) => `Direct messages${unread > 0 ? `, ${unread} unread` : ''}`,
  noChats: 'No direct messages yet. Start one from the list of people online.',
  backTo: (room: string) => `Back to #${room}`,
  dmWith: (name: string) => `Conversation with ${name}`,
  noMessages: 'No messages yet',
  message: 'Message',
  messageUser: (name: string) => `Send a direct message to ${name}`,
  block: 'Block',
  blockUser: (name: string) => `Block ${name}: hide their messages and stop their direct messages`,
  unblock: 'Unblock',
  unblockUser: (name: string) => `Unblock ${name}`,
  blocked: 'Blocked',
  blockedNow: (name: string) => `${name} is blocked. You will not see their messages.`,
  unblockedNow: (name: string) => `${name} is unblocked.`,
  you: 'you',
  online: (n: number) => `Online — ${n}`,
  peopleOnline: 'People online',
  search: 'Search messages',
  searchLabel: 'Search all rooms',
  searchGo: 'Search',
  searching: 'Searching…',
  noHits: (q: string) => `Nothing found for “${q}”.`,
  more: 'More results',
  goToHit: (name: string, room: string) => `Message from ${name} in ${room}: go to it`,
  pins: 'Pinned messages',
  noPins: 'No pinned messages in this room.',
  pinnedBy: (name: string) => `pinned by ${name}`,
  goToPin: (name: string) => `Pinned message from ${name}: go to it`,
  close: 'Close',
  loading: 'Loading…',
  notFound: 'That message is not in this room’s history any more.',
  failed: (what: string, why: string) => `${what} failed: ${why}`,
} as const;

/** Why opening a direct message failed, in words. */
export function dmErrorText(code: string, fallback: string): string {
  switch (code) {
    case 'dms_disabled':
      return 'Direct messages are not available to you in this chat.';
    case 'blocked':
      return 'You cannot send direct messages to this person.';
    case 'not_found':
      return 'That person is not in this chat any more.';
    default:
      return fallback;
  }
}

/** A message's menu for moderators. */
export const MOD_TEXT = {
  more: 'More actions',
  'report-spam': 'Report as spam',
  'report-abuse': 'Report as abuse',
  pin: 'Pin to the room',
  delete: 'Delete message',
  mute: 'Mute author for 10 minutes',
  ban: 'Ban author for a day',
  done: {
    'report-spam': 'Reported to the moderators',
    'report-abuse': 'Reported to the moderators',
    pin: 'Pinned',
    delete: 'Deleted',
    mute: 'Muted',
    ban: 'Banned',
  },
};

/** Guest verification (verification.ts): what the welcome form says while the service's widget is shown. */
export const VERIFY_TEXT = {
  asked: 'Please confirm you are a person to join.',
  rejected: 'That check did not pass. Please try again.',
  unavailable: 'The verification service could not be loaded. Try again later.',
};
/** The launcher, the unread count in the tab's title and notifications of mentions and DMs. */
export const ATTENTION_TEXT = {
  openChat: (unread: number) => `Open chat${unread > 0 ? `, ${unread} unread` : ''}`,
  closeChat: 'Close chat',
  /** The tab's title with the count of messages that arrived while the reader was away. */
  title: (count: number, title: string) => `(${count}) ${title}`,
  notify: 'Notify me of mentions and direct messages while this tab is in the background',
  notifyBlocked: 'Notifications are blocked in this browser’s settings for this site',
  mentioned: (name: string, room: string) => `${name} mentioned you in ${room}`,
  directMessage: (name: string) => `${name} sent you a message`,
} as const;

/** The room of the page (`room="auto"`, page-room.ts), where a room name would be shown. */
export const PAGE_ROOM_LABEL = 'this page';
