import type { EngineEvent } from './events.js';

/**
 * Per room of one session, the seq its join's reply replayed up to, until the live stream passes it.
 *
 * The reply is read from storage, the live stream comes through this node's room channel, and on a node that
 * lags behind the others (a paused process, a slow bus) the channel can still be handing out messages the
 * reply already carried. Those are skipped for this session, so that it sees each message once. The channel
 * hands out messages in seq order, so once one above the floor has passed, the floor is no longer needed.
 */
export class ReplayFloors {
  // Created when first needed, and emptied as the live stream catches up: most of the time it holds nothing.
  private floors: Map<number, number> | null = null;

  /** The join's reply to `roomId` carried every message up to `seq`. */
  set(roomId: number, seq: number): void {
    (this.floors ??= new Map()).set(roomId, seq);
  }

  /** True when `event` is a message of `roomId` that the join's reply already carried: not to be handed out. */
  covers(roomId: number, event: EngineEvent): boolean {
    // A released message (reports.ts) is below every floor by design, and never was in a replay.
    if (event.type !== 'message' || event.released === true || !this.floors) return false;
    const floor = this.floors.get(roomId);
    if (floor === undefined) return false;
    if (event.message.seq <= floor) return true;
    this.forget(roomId);
    return false;
  }

  /**
   * The room's channel has handed out every message up to `delivered`: past the floor, it hands out only later
   * ones, so the floor would never skip anything (and an idle session would keep it while the room is quiet).
   */
  passed(roomId: number, delivered: number | null): void {
    const floor = this.floors?.get(roomId);
    if (floor !== undefined && delivered !== null && delivered >= floor) this.forget(roomId);
  }

  forget(roomId: number): void {
    if (this.floors?.delete(roomId) === true && this.floors.size === 0) this.floors = null;
  }

  clear(): void {
    this.floors = null;
  }
}
