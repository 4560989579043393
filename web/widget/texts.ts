/**
 * What the widget tells people, by topic, in the widget's language (i18n/). The exported objects answer in the
 * language of the widget being rendered (i18n/scope.ts); code that builds text outside a render takes its
 * host's words with the `…Of(host)` variants.
 */
import { textsOf, tx } from './i18n/scope.js';
import type { Texts } from './i18n/texts.js';

type Words = () => Texts;

/** Why the connection ended, by close reason. */
export function closeText(texts: Texts = tx()): Readonly<Record<string, string>> {
  return {
    kicked: texts.t('kicked'),
    banned: texts.t('banned'),
    credentials_expired: texts.t('sessionExpired'),
    unauthorized: texts.t('unauthorized'),
    app_deleted: texts.t('appDeleted'),
  };
}

/** Why joining with a nickname failed, in words. */
export function guestErrorText(code: string, fallback: string, texts: Texts = tx()): string {
  switch (code) {
    case 'conflict':
      return texts.t('nicknameTaken');
    case 'guests_disabled':
      return texts.t('guestsDisabled');
    case 'banned':
      return texts.t('banned');
    case 'connect_failed':
      return texts.t('connectFailed');
    case 'bad_request':
      return texts.t('badNickname');
    default:
      return fallback;
  }
}

function socialText(w: Words) {
  return {
    get reply() {
      return w().t('reply');
    },
    replyTo: (name: string) => w().t('replyTo', { name }),
    get replyingTo() {
      return w().t('replyingTo');
    },
    get cancelReply() {
      return w().t('cancelReply');
    },
    get deletedQuote() {
      return w().t('deletedQuote');
    },
    goToQuoted: (name: string) => w().t('goToQuoted', { name }),
    quoted: (name: string) => w().t('quoted', { name }),
    replies: (n: number) => w().n('replies', n),
    get react() {
      return w().t('react');
    },
    reactTo: (name: string) => w().t('reactTo', { name }),
    get picker() {
      return w().t('picker');
    },
    get closePicker() {
      return w().t('close');
    },
    get reactions() {
      return w().t('reactions');
    },
    chip: (emoji: string, count: number, me: boolean) =>
      w().n(me ? 'chipYours' : 'chipOthers', count, { emoji }),
    unread: (n: number) => w().n('unread', n),
    get couldNotReact() {
      return w().t('couldNotReact');
    },
  };
}

/** Replies, reactions and the unread badge. */
export const SOCIAL_TEXT = socialText(tx);
export const socialTextOf = (host: Element) => socialText(() => textsOf(host));

const EMOJI = [
  ['👍', 'emojiThumbsUp'],
  ['❤️', 'emojiHeart'],
  ['😂', 'emojiLaughing'],
  ['😮', 'emojiSurprised'],
  ['😢', 'emojiSad'],
  ['🎉', 'emojiParty'],
  ['🙏', 'emojiThanks'],
  ['👀', 'emojiEyes'],
] as const;

/** The emoji the picker offers, with their names for screen readers. */
export function pickerEmoji(texts: Texts = tx()): readonly (readonly [string, string])[] {
  return EMOJI.map(([emoji, name]) => [emoji, texts.t(name)] as const);
}

function convoText(w: Words) {
  return {
    avatarOf: (name: string) => w().t('avatarOf', { name }),
    get chats() {
      return w().t('chats');
    },
    openChats: (unread: number) => (unread > 0 ? w().n('openChatsUnread', unread) : w().t('openChats')),
    get noChats() {
      return w().t('noChats');
    },
    backTo: (room: string) => w().t('backTo', { room }),
    get noMessages() {
      return w().t('noMessages');
    },
    get message() {
      return w().t('message');
    },
    messageUser: (name: string) => w().t('messageUser', { name }),
    get block() {
      return w().t('block');
    },
    blockUser: (name: string) => w().t('blockUser', { name }),
    get unblock() {
      return w().t('unblock');
    },
    unblockUser: (name: string) => w().t('unblockUser', { name }),
    get blocked() {
      return w().t('blocked');
    },
    blockedNow: (name: string) => w().t('blockedNow', { name }),
    unblockedNow: (name: string) => w().t('unblockedNow', { name }),
    get you() {
      return w().t('you');
    },
    online: (n: number) => w().t('online', { count: n }),
    showOnline: (n: number) => w().n('showOnline', n),
    get peopleOnline() {
      return w().t('peopleOnline');
    },
    get search() {
      return w().t('search');
    },
    get searchLabel() {
      return w().t('searchLabel');
    },
    get searchGo() {
      return w().t('searchGo');
    },
    results: (n: number) => w().n('results', n),
    noHits: (query: string) => w().t('noHits', { query }),
    get more() {
      return w().t('moreResults');
    },
    goToHit: (name: string, room: string) => w().t('goToHit', { name, room }),
    get pins() {
      return w().t('pins');
    },
    get noPins() {
      return w().t('noPins');
    },
    pinnedBy: (name: string) => w().t('pinnedBy', { name }),
    goToPin: (name: string) => w().t('goToPin', { name }),
    get close() {
      return w().t('close');
    },
    get loading() {
      return w().t('loading');
    },
    get notFound() {
      return w().t('notInHistory');
    },
    failed: (action: string, reason: string) => w().t('failed', { action, reason }),
  };
}

/** Direct messages, blocking, search, pins and avatars. */
export const CONVO_TEXT = convoText(tx);
export const convoTextOf = (host: Element) => convoText(() => textsOf(host));

/** Why opening a direct message failed, in words. */
export function dmErrorText(code: string, fallback: string, texts: Texts = tx()): string {
  switch (code) {
    case 'dms_disabled':
      return texts.t('dmsDisabled');
    case 'blocked':
      return texts.t('dmBlocked');
    case 'not_found':
      return texts.t('dmGone');
    default:
      return fallback;
  }
}

function modText(w: Words) {
  return {
    get more() {
      return w().t('moreActions');
    },
    get 'report-spam'() {
      return w().t('reportSpam');
    },
    get 'report-abuse'() {
      return w().t('reportAbuse');
    },
    get pin() {
      return w().t('pin');
    },
    get delete() {
      return w().t('deleteMessage');
    },
    get mute() {
      return w().t('mute');
    },
    get ban() {
      return w().t('ban');
    },
    get done() {
      const texts = w();
      return {
        'report-spam': texts.t('reported'),
        'report-abuse': texts.t('reported'),
        pin: texts.t('pinned'),
        delete: texts.t('deleted'),
        mute: texts.t('muted'),
        ban: texts.t('bannedDone'),
      };
    },
  };
}

/** A message's menu for moderators. */
export const MOD_TEXT = modText(tx);
export const modTextOf = (host: Element) => modText(() => textsOf(host));

/** Guest verification (verification.ts): what the welcome form says while the service's widget is shown. */
export const verifyTextOf = (host: Element) => ({
  asked: textsOf(host).t('verifyAsked'),
  rejected: textsOf(host).t('verifyRejected'),
  unavailable: textsOf(host).t('verifyUnavailable'),
});
/** The launcher, the unread count in the tab's title and notifications of mentions and DMs. */
function attentionText(w: Words) {
  return {
    openChat: (unread: number) =>
      unread > 0 ? w().t('openChatUnread', { count: unread }) : w().t('openChat'),
    get closeChat() {
      return w().t('closeChat');
    },
    /** The tab's title with the count of messages that arrived while the reader was away. */
    title: (count: number, title: string) => `(${count}) ${title}`,
    get notify() {
      return w().t('notifyToggle');
    },
    get notifyBlocked() {
      return w().t('notifyBlocked');
    },
    mentioned: (name: string, room: string) => w().t('mentionedYou', { name, room }),
    directMessage: (name: string) => w().t('sentYouMessage', { name }),
  };
}
/** In a render, the rendering widget's language; elsewhere (notifications), the page's. */
export const ATTENTION_TEXT = attentionText(tx);

/** The room of the page (`room="auto"`, page-room.ts), where a room name would be shown. */
export const pageRoomLabel = () => tx().t('thisPage');
