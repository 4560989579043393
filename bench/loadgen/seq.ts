/**
 * Loss and duplicate detection by sequence number: one Stream per (receiver, publisher). A stream expects
 * seq floor, floor+1, ...; a jump records the skipped seqs as missing (they may still come late, out of
 * order), a seq seen before is a duplicate, a seq below the floor is stale (from before this measurement).
 */
const MAX_TRACKED_MISSING = 100_000;

export interface StreamCounts {
  /** Distinct seqs received at or above the floor. */
  unique: number;
  duplicates: number;
  /** Received after a later seq had already arrived (filled a hole). */
  reordered: number;
  /** Seqs below the floor (left over from an earlier measurement). */
  stale: number;
}

export class SeqStream {
  private next: number;
  private readonly missing = new Set<number>();
  /** Seqs skipped beyond what `missing` tracks (only on absurd jumps). */
  private untracked = 0;
  readonly counts: StreamCounts = { unique: 0, duplicates: 0, reordered: 0, stale: 0 };

  constructor(private floor = 1) {
    this.next = floor;
  }

  /** Start a new measurement at `floor`: older seqs count as stale from now on. */
  reset(floor: number): void {
    this.floor = floor;
    this.next = floor;
    this.missing.clear();
    this.untracked = 0;
    this.counts.unique = 0;
    this.counts.duplicates = 0;
    this.counts.reordered = 0;
    this.counts.stale = 0;
  }

  /** Records one received seq; returns true when it is new (neither duplicate nor stale). */
  receive(seq: number): boolean {
    if (seq < this.floor) {
      this.counts.stale++;
      return false;
    }
    if (seq === this.next) {
      this.next++;
      this.counts.unique++;
      return true;
    }
    if (seq > this.next) {
      for (let s = this.next; s < seq; s++) {
        if (this.missing.size < MAX_TRACKED_MISSING) this.missing.add(s);
        else this.untracked++;
      }
      this.next = seq + 1;
      this.counts.unique++;
      return true;
    }
    if (this.missing.delete(seq)) {
      this.counts.unique++;
      this.counts.reordered++;
      return true;
    }
    this.counts.duplicates++;
    return false;
  }

  /** Highest seq received so far (floor - 1 when none). */
  get highest(): number {
    return this.next - 1;
  }

  /** How many of floor..last never arrived. */
  lostUpTo(last: number): number {
    return this.lostBetween(this.floor, last);
  }

  /** How many of from..last (within floor..) never arrived. */
  lostBetween(from: number, last: number): number {
    const first = Math.max(from, this.floor);
    if (last < first) return 0;
    let lost = first === this.floor ? this.untracked : 0;
    for (const s of this.missing) if (s >= first && s <= last) lost++;
    if (last >= this.next) lost += last - Math.max(this.next, first) + 1;
    return lost;
  }
}

/** Every stream of one receiver, by publisher. */
export class SeqTracker {
  private readonly streams = new Map<number, SeqStream>();

  stream(publisher: number): SeqStream {
    let stream = this.streams.get(publisher);
    if (!stream) {
      stream = new SeqStream();
      this.streams.set(publisher, stream);
    }
    return stream;
  }

  receive(publisher: number, seq: number): boolean {
    return this.stream(publisher).receive(seq);
  }

  reset(floors: ReadonlyMap<number, number>): void {
    for (const [publisher, floor] of floors) this.stream(publisher).reset(floor);
  }

  get publishers(): IterableIterator<number> {
    return this.streams.keys();
  }

  totals(): StreamCounts {
    const total: StreamCounts = { unique: 0, duplicates: 0, reordered: 0, stale: 0 };
    for (const s of this.streams.values()) {
      total.unique += s.counts.unique;
      total.duplicates += s.counts.duplicates;
      total.reordered += s.counts.reordered;
      total.stale += s.counts.stale;
    }
    return total;
  }
}
