/**
 * The soak's exactly-once book: every acknowledged message, every membership (a client joined to a room, from
 * the join's reply until it left or closed), every delivery. A message is owed to each membership that covers
 * it from before its send until after its ack; reconnects inside a membership do not end it, because resuming
 * must fill the gap (and a slow consumer cut with 4008 resumes too).
 *
 * A client that leaves or closes on purpose is owed no more than what had reached it: a message acknowledged to
 * its sender on another node can still be on its way (the more so when that node is paused), and a client that
 * goes is not waiting for it. So a membership ended during the run is owed the messages up to the highest seq
 * it was handed in that room; a message below that seq that never came is still missing. At the end of the run
 * (after the drain) every acknowledged message is owed.
 */

export interface AckedMessage {
  room: string;
  /** The sending client's key, for the report's examples. */
  sender: string;
  id: number;
  seq: number;
  /** When the send was first attempted, and when it was acknowledged (ms, this process's clock). */
  sentAt: number;
  ackedAt: number;
}

interface Membership {
  client: string;
  room: string;
  from: number;
  until: number | null;
  /** For a membership the client ended itself: the highest seq it had been handed in the room by then. */
  seenUpTo: number | null;
}

/** A delivered message as the ledger reads it. */
export interface Delivery {
  id: number;
  room: string;
  seq: number;
}

export interface LedgerVerdict {
  acked: number;
  /** Deliveries owed: (message, live member) pairs. */
  owed: number;
  delivered: number;
  /** Owed and never delivered. */
  missing: number;
  /** Of those, how many fell in a gap the server reported to that client (the replay limit was exceeded). */
  missingInGaps: number;
  /** Delivered more than once to one client (by message id). */
  duplicates: number;
  /** Gaps the server reported on a resume (replay limit exceeded): each is a missing-by-design range. */
  gaps: number;
  /** A few examples of each violation, for the report. */
  examples: string[];
}

const MAX_EXAMPLES = 10;

/** The node a client is on, from its key (`soak-user-7-n2/1`); the harness names clients so. */
function nodeOf(client: string): string {
  return /-(n\d+)\//.exec(client)?.[1] ?? '?';
}

export class Ledger {
  private readonly acked = new Map<number, AckedMessage>();
  private readonly open = new Map<string, Membership>();
  private readonly closed: Membership[] = [];
  /** client → message id → times delivered. */
  private readonly deliveries = new Map<string, Map<number, number>>();
  /** `client room` → the highest seq handed to that client in that room. */
  private readonly highest = new Map<string, number>();
  /** `client room` → the gaps reported to it, as [afterSeq, beforeSeq] ranges. */
  private readonly gaps = new Map<string, [number, number][]>();
  private gapCount = 0;
  private readonly notes: string[] = [];
  /** client → recent connection events (drops, resumes, joins), to explain a violation. */
  private readonly traces = new Map<string, { at: number; what: string }[]>();

  ack(message: AckedMessage): void {
    // A retried send (same clientMsgId) is acknowledged again with the same id: keep the first attempt's times.
    const known = this.acked.get(message.id);
    if (known) {
      known.sentAt = Math.min(known.sentAt, message.sentAt);
      known.ackedAt = Math.min(known.ackedAt, message.ackedAt);
      return;
    }
    this.acked.set(message.id, { ...message });
  }

  joined(client: string, room: string, at: number): void {
    const key = `${client}\u0000${room}`;
    if (this.open.has(key)) return;
    this.open.set(key, { client, room, from: at, until: null, seenUpTo: null });
  }

  /** The client ends the membership during the run (a leave, a close, or the server closing it for good). */
  left(client: string, room: string, at: number): void {
    const key = `${client}\u0000${room}`;
    this.end(key, at, this.highest.get(key) ?? 0);
  }

  private end(key: string, at: number, seenUpTo: number | null): void {
    const membership = this.open.get(key);
    if (!membership) return;
    this.open.delete(key);
    membership.until = at;
    membership.seenUpTo = seenUpTo;
    this.closed.push(membership);
  }

  delivered(client: string, message: Delivery): void {
    let seen = this.deliveries.get(client);
    if (!seen) {
      seen = new Map();
      this.deliveries.set(client, seen);
    }
    seen.set(message.id, (seen.get(message.id) ?? 0) + 1);
    const key = `${client}\u0000${message.room}`;
    if (message.seq > (this.highest.get(key) ?? 0)) this.highest.set(key, message.seq);
  }

  /** Something happened to a client's connection; kept (the last few hundred) to explain violations. */
  trace(client: string, what: string, at = Date.now()): void {
    const list = this.traces.get(client) ?? [];
    list.push({ at, what });
    if (list.length > 200) list.shift();
    this.traces.set(client, list);
  }

  private explain(client: string, message: AckedMessage): string {
    const near = (this.traces.get(client) ?? []).filter(
      (e) => e.at >= message.sentAt - 5000 && e.at <= message.ackedAt + 5000,
    );
    const events = near.map(
      (e) => `${e.what} ${e.at - message.sentAt >= 0 ? '+' : ''}${e.at - message.sentAt} ms`,
    );
    return `sent by ${message.sender}, acked after ${message.ackedAt - message.sentAt} ms; ${client} near then: ${events.join(', ') || 'nothing'}`;
  }

  gap(client: string, room: string, afterSeq: number, beforeSeq: number): void {
    this.gapCount += 1;
    const key = `${client}\u0000${room}`;
    this.gaps.set(key, [...(this.gaps.get(key) ?? []), [afterSeq, beforeSeq]]);
    if (this.notes.length < MAX_EXAMPLES / 2) {
      const away = (this.traces.get(client) ?? [])
        .filter((e) => /^(disconnected|closed)/.test(e.what))
        .at(-1);
      const since = away
        ? `, ${Math.round((Date.now() - away.at) / 1000)} s after it lost its connection`
        : '';
      this.notes.push(
        `gap at ${client} in ${room}: seqs ${afterSeq + 1}..${beforeSeq - 1} not replayed${since}`,
      );
    }
  }

  private inGap(client: string, message: AckedMessage): boolean {
    const ranges = this.gaps.get(`${client}\u0000${message.room}`) ?? [];
    return ranges.some(([after, before]) => message.seq > after && message.seq < before);
  }

  get deliveredCount(): number {
    let total = 0;
    for (const seen of this.deliveries.values()) for (const times of seen.values()) total += times;
    return total;
  }

  get ackedCount(): number {
    return this.acked.size;
  }

  /** Ends every open membership at `at` and judges. */
  verdict(at: number): LedgerVerdict {
    for (const key of [...this.open.keys()]) this.end(key, at, null);
    const byRoom = new Map<string, AckedMessage[]>();
    for (const message of this.acked.values()) {
      const list = byRoom.get(message.room) ?? [];
      list.push(message);
      byRoom.set(message.room, list);
    }
    const examples = [...this.notes];
    const limit = examples.length + MAX_EXAMPLES;
    /** message id → node → [members owed it, members who missed it]. */
    const perNode = new Map<number, Map<string, [number, number]>>();
    const silent: [string, AckedMessage][] = [];
    let owed = 0;
    let missing = 0;
    let missingInGaps = 0;
    for (const membership of this.closed) {
      const seen = this.deliveries.get(membership.client);
      for (const message of byRoom.get(membership.room) ?? []) {
        if (message.sentAt < membership.from || membership.until === null) continue;
        if (message.ackedAt > membership.until) continue;
        if (membership.seenUpTo !== null && message.seq > membership.seenUpTo) continue;
        owed += 1;
        const got = seen?.has(message.id) ?? false;
        const tally = perNode.get(message.id) ?? new Map<string, [number, number]>();
        perNode.set(message.id, tally);
        const [owedHere, missedHere] = tally.get(nodeOf(membership.client)) ?? [0, 0];
        tally.set(nodeOf(membership.client), [owedHere + 1, missedHere + (got ? 0 : 1)]);
        if (!got) {
          missing += 1;
          if (this.inGap(membership.client, message)) {
            missingInGaps += 1;
            continue;
          }
          silent.push([membership.client, message]);
        }
      }
    }
    for (const [client, message] of silent.slice(0, MAX_EXAMPLES)) {
      const [owedHere, missedHere] = perNode.get(message.id)?.get(nodeOf(client)) ?? [0, 0];
      examples.push(
        `missing: message ${message.id} (seq ${message.seq}) of ${message.room} at ${client}; missed by ${missedHere} of ${owedHere} members owed it on that node (${this.explain(client, message)})`,
      );
    }
    let delivered = 0;
    let duplicates = 0;
    for (const [client, seen] of this.deliveries) {
      for (const [id, times] of seen) {
        delivered += times;
        if (times > 1) {
          duplicates += times - 1;
          if (examples.length < limit + MAX_EXAMPLES / 2)
            examples.push(`duplicate: message ${id} ${times}× at ${client}`);
        }
      }
    }
    return {
      acked: this.acked.size,
      owed,
      delivered,
      missing,
      missingInGaps,
      duplicates,
      gaps: this.gapCount,
      examples,
    };
  }
}
