/** A message's reaction summary, updated from `reaction_changed` events and from react/unreact answers. */
import type { MessageView, ReactionCount } from '../../src/client/index.js';

export interface ReactionChange {
  emoji: string;
  count: number;
  /** The reaction was mine: `added` sets (or clears) the pressed state. */
  mine: boolean;
  added: boolean;
}

/** The reactions after one change: the emoji's count replaced, gone at zero, appended when new. */
export function applyReaction(reactions: readonly ReactionCount[], change: ReactionChange): ReactionCount[] {
  const out: ReactionCount[] = [];
  let found = false;
  for (const r of reactions) {
    if (r.emoji !== change.emoji) {
      out.push(r);
      continue;
    }
    found = true;
    if (change.count > 0)
      out.push({ ...r, count: change.count, me: change.mine ? change.added : r.me === true });
  }
  if (!found && change.count > 0) {
    out.push({ emoji: change.emoji, count: change.count, me: change.mine && change.added });
  }
  return out;
}

/** Whether the reader has reacted with `emoji`. */
export function reactedWith(message: MessageView, emoji: string): boolean {
  return message.reactions.some((r) => r.emoji === emoji && r.me === true);
}

/** A new version of a message (an edit, a replay) as broadcast to everyone: keep which reactions were mine. */
export function keepMine(next: MessageView, known: MessageView | undefined): MessageView {
  if (!known || next.reactions.every((r) => r.me !== undefined)) return next;
  const mine = new Set(known.reactions.filter((r) => r.me === true).map((r) => r.emoji));
  return {
    ...next,
    reactions: next.reactions.map((r) => (r.me === undefined ? { ...r, me: mine.has(r.emoji) } : r)),
  };
}
