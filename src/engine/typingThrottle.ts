/**
 * One session's typing starts per room: a start within the throttle of the previous one is dropped, and a stop
 * is sent only after a start that was let through.
 */
export class TypingThrottle {
  private starts: Map<number, number> | null = null;

  /**
   * Whether to tell the room. `allow` is asked only for a start past the throttle: over its limit typing is
   * dropped without a word, as the throttle drops it (a hint nobody waits on).
   */
  pass(roomId: number, typing: boolean, now: number, throttleMs: number, allow: () => boolean): boolean {
    const last = this.starts?.get(roomId);
    if (!typing) return last !== undefined && (this.starts?.delete(roomId) ?? false);
    if (last !== undefined && now - last < throttleMs) return false;
    if (!allow()) return false;
    (this.starts ??= new Map()).set(roomId, now);
    return true;
  }

  /** The session left the room: a later start there is a first one. */
  forget(roomId: number): void {
    this.starts?.delete(roomId);
  }
}
