/**
 * Who is in the room and who is typing, kept from the room's presence events: the roster half of a chat
 * session's listeners (session.ts), apart so that the session stays about the conversation.
 */
import type { ParleyClient, UserRef } from '../../src/client/index.js';
import type { TypingRoster } from './typing.js';

export interface RosterTarget {
  ours(room: { name: string } | null): boolean;
  readonly online: Map<number, UserRef>;
  readonly typing: TypingRoster;
  myId(): number | undefined;
  change(): void;
}

/** Subscribes the roster's handlers; answers their unsubscribers. */
export function rosterListeners(c: ParleyClient, t: RosterTarget): (() => void)[] {
  return [
    c.on('presence_join', ({ room, user }) => {
      if (!t.ours(room)) return;
      t.online.set(user.id, user);
      t.change();
    }),
    c.on('presence_leave', ({ room, user }) => {
      if (!t.ours(room)) return;
      t.online.delete(user.id);
      t.typing.set(user, false);
      t.change();
    }),
    // A guest here signed in on its connection: the same person under another name, not a leave and a join.
    c.on('user_renamed', ({ room, from, to }) => {
      if (!t.ours(room)) return;
      t.online.delete(from.id);
      t.online.set(to.id, to);
      t.typing.set(from, false);
      t.change();
    }),
    c.on('typing', ({ room, user, typing }) => {
      if (!t.ours(room) || user.id === t.myId()) return;
      t.typing.set(user, typing);
      t.change();
    }),
  ];
}
