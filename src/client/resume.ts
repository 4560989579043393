/**
 * Per-room bookkeeping for resuming: which seqs the application has been handed, so that a message is never
 * delivered twice (live, replayed after a reconnect, or both), and from which seq to resume.
 */

/** Out-of-order seqs kept at most; beyond this the cursor jumps forward (the server delivers in order anyway). */
const MAX_PENDING = 10_000;

export class SeqTracker {
  /** Every seq <= base has been delivered or deliberately skipped (a gap that was reported). */
  private base: number | null;
  /** Delivered seqs above base (they came out of order, or before the join's reply). */
  private readonly above = new Set<number>();

  constructor(base: number | null = null) {
    this.base = base;
  }

  /** The seq to resume from: everything up to it has been seen. Null before the first join reply. */
  get cursor(): number | null {
    return this.base;
  }

  /** True when `seq` is new (deliver it); false for a duplicate. */
  accept(seq: number): boolean {
    if (!Number.isSafeInteger(seq)) return false;
    if (this.base !== null && seq <= this.base) return false;
    if (this.above.has(seq)) return false;
    this.above.add(seq);
    this.compact();
    if (this.above.size > MAX_PENDING) {
      const lowest = Math.min(...this.above);
      this.advanceTo(lowest);
    }
    return true;
  }

  /** Whether `seq` has been delivered (or skipped). */
  seen(seq: number): boolean {
    return (this.base !== null && seq <= this.base) || this.above.has(seq);
  }

  /** Everything up to `seq` is accounted for (a join reply's lastSeq, or a reported gap). */
  advanceTo(seq: number): void {
    if (this.base === null || seq > this.base) this.base = seq;
    this.compact();
  }

  private compact(): void {
    if (this.base === null) return;
    for (const seq of this.above) if (seq <= this.base) this.above.delete(seq);
    while (this.above.delete(this.base + 1)) this.base += 1;
  }
}

/** The rooms a client has joined and their trackers. Keyed by room name, as the protocol is. */
export class RoomRegistry {
  private readonly trackers = new Map<string, SeqTracker>();
  private readonly joinedRooms = new Set<string>();

  /** Names of the joined rooms, in join order. */
  get joined(): ReadonlySet<string> {
    return this.joinedRooms;
  }

  tracker(room: string): SeqTracker {
    let tracker = this.trackers.get(room);
    if (!tracker) {
      tracker = new SeqTracker();
      this.trackers.set(room, tracker);
    }
    return tracker;
  }

  cursor(room: string): number | null {
    return this.trackers.get(room)?.cursor ?? null;
  }

  markJoined(room: string): void {
    this.joinedRooms.add(room);
  }

  forget(room: string): void {
    this.joinedRooms.delete(room);
    this.trackers.delete(room);
  }

  rename(from: string, to: string): void {
    if (from === to) return;
    const tracker = this.trackers.get(from);
    if (tracker) {
      this.trackers.delete(from);
      this.trackers.set(to, tracker);
    }
    if (this.joinedRooms.delete(from)) this.joinedRooms.add(to);
  }
}
