import type { Attachment, LinkPreview, Message, ReactionCount, ReplyQuote, UserRef } from './types.js';

// Here rather than in the engine's views because the store's message writer builds webhook bodies from it
// (messageOutbox.ts), possibly in a worker thread that has no engine; src/engine/events.ts and views.ts
// re-export these so the rest of the code reads them where it always did.

export interface RoomRef {
  id: number;
  name: string;
}

/** A message as clients see it: the stored message with its room's name. */
export interface MessageView {
  id: number;
  room: string;
  roomId: number;
  seq: number;
  kind: Message['kind'];
  author: UserRef | null;
  text: string;
  html: string;
  clientMsgId: string | null;
  createdAt: number;
  editedAt: number | null;
  deletedAt: number | null;
  /** The message this one answers, as quoted when it was written; null for a message that is not a reply. */
  replyTo: ReplyQuote | null;
  /** How many replies the message has. */
  replyCount: number;
  /** Reactions by emoji, most used first. */
  reactions: ReactionCount[];
  /** The users the text mentioned when it was posted (at most MAX_MENTIONS), in the order of the text. */
  mentions: UserRef[];
  /**
   * Set only on a message that is not visible to everyone, as its author and staff see it (visibility.ts):
   * held for review, hidden after reports, or written while shadow-muted (its author sees it unmarked).
   */
  visibility?: Message['visibility'];
  /** The files it carries, with URLs for this delivery (docs/attachments.md); absent: none. */
  attachments?: Attachment[];
  /** The first link's preview once fetched; absent: none. */
  preview?: LinkPreview;
}

export function toMessageView(message: Message, roomName: string): MessageView {
  return {
    id: message.id,
    room: roomName,
    roomId: message.roomId,
    seq: message.seq,
    kind: message.kind,
    author: message.author,
    text: message.text,
    html: message.html,
    clientMsgId: message.clientMsgId,
    createdAt: message.createdAt,
    editedAt: message.editedAt,
    deletedAt: message.deletedAt,
    replyTo: message.replyTo,
    replyCount: message.replyCount,
    reactions: [],
    mentions: message.mentions ?? [],
    ...(message.visibility === undefined ? {} : { visibility: message.visibility }),
  };
}
