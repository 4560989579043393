import type { EngineEvent, MessageView } from './events.js';

/**
 * True for what a blocked user says: a message event (new, edited, deleted), their typing, a mention by them.
 * The blocker never gets it. Their presence still shows (the member list stays true to the room).
 */
export function hidesEvent(blocked: ReadonlySet<number>, event: EngineEvent): boolean {
  switch (event.type) {
    case 'message':
    case 'message_edited':
    case 'message_deleted':
    case 'message_preview':
      return event.message.author !== null && blocked.has(event.message.author.id);
    case 'typing':
      return blocked.has(event.user.id);
    case 'mention':
      return blocked.has(event.author.id);
    case 'dm_message':
      return event.message.author !== null && blocked.has(event.message.author.id);
    default:
      return false;
  }
}

/** Messages without those whose author `blocked` holds (history and join replays of the blocker). */
export function withoutBlocked(blocked: ReadonlySet<number> | null, messages: MessageView[]): MessageView[] {
  if (blocked === null || blocked.size === 0) return messages;
  return messages.filter((m) => m.author === null || !blocked.has(m.author.id));
}

/**
 * The users one session leaves out (its user blocked them): read from storage when the session opens, kept in
 * step by `block_changed`. Empty is `null`, so that delivery to the many sessions that block no one costs one
 * comparison.
 */
export class BlockedSet {
  private ids: Set<number> | null = null;
  /** Changes heard before the stored set was read, applied again over it (null once it was read). */
  private pending: [number, boolean][] | null = [];

  get current(): ReadonlySet<number> | null {
    return this.ids;
  }

  hides(event: EngineEvent): boolean {
    return this.ids !== null && hidesEvent(this.ids, event);
  }

  filter(messages: MessageView[]): MessageView[] {
    return withoutBlocked(this.ids, messages);
  }

  /** Search hits without those whose message's author is left out. */
  filterHits<H extends { message: MessageView }>(hits: H[]): H[] {
    const shown = new Set(this.filter(hits.map((hit) => hit.message)));
    return shown.size === hits.length ? hits : hits.filter((hit) => shown.has(hit.message));
  }

  /** The stored set; changes heard meanwhile (newer than the read may be) are applied over it. */
  loaded(ids: Iterable<number>): void {
    const pending = this.pending ?? [];
    this.pending = null;
    const set = new Set(ids);
    this.ids = set.size > 0 ? set : null;
    for (const [id, blocked] of pending) this.apply(id, blocked);
  }

  apply(userId: number, blocked: boolean): void {
    this.pending?.push([userId, blocked]);
    if (blocked) (this.ids ??= new Set()).add(userId);
    else if (this.ids?.delete(userId) === true && this.ids.size === 0) this.ids = null;
  }
}
