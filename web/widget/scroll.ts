/**
 * Where the message list is scrolled, across renders: new messages keep a reader who is at the bottom at the
 * bottom; older pages inserted above keep the reader's place; the first render opens at the unread divider (or
 * the bottom).
 */

/** Within this many pixels of the bottom counts as "at the bottom". */
const NEAR_BOTTOM = 48;

export function isAtBottom(log: HTMLElement): boolean {
  return log.scrollHeight - log.scrollTop - log.clientHeight < NEAR_BOTTOM;
}

export class ScrollKeeper {
  private snapshot: { top: number; height: number; bottom: boolean } | null = null;
  /** The oldest seq in the DOM after the last render (the timeline itself changes before a render). */
  private renderedOldest: number | null = null;
  private initial = true;

  /** A new room or session: the next render scrolls to the divider or the bottom. */
  reset(): void {
    this.initial = true;
    this.renderedOldest = null;
    this.snapshot = null;
  }

  /** Before a render: how the list is scrolled now. */
  before(log: HTMLElement | null): void {
    this.snapshot = log ? { top: log.scrollTop, height: log.scrollHeight, bottom: isAtBottom(log) } : null;
  }

  /** After a render of a joined room; true when it positioned the list for the first time. */
  after(log: HTMLElement, oldest: number | null): boolean {
    const previousOldest = this.renderedOldest;
    this.renderedOldest = oldest;
    if (this.initial) {
      this.initial = false;
      const divider = log.querySelector<HTMLElement>('.marker.unread');
      log.scrollTop = divider ? Math.max(0, divider.offsetTop - 24) : log.scrollHeight;
      return true;
    }
    const snap = this.snapshot;
    if (!snap) return false;
    if (previousOldest !== null && oldest !== null && oldest < previousOldest) {
      // Older history went in above: keep what the reader was looking at in place.
      log.scrollTop = snap.top + (log.scrollHeight - snap.height);
    } else if (snap.bottom && log.scrollHeight !== snap.height) {
      log.scrollTop = log.scrollHeight;
    }
    return false;
  }
}
