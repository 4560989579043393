/**
 * The messages of one room as the widget shows them: ordered by seq, one entry per message id (a message that
 * arrives live, in a replay and in a history page is shown once), plus the sends not yet acknowledged.
 */
import type { MessageView } from '../../src/client/index.js';

export interface PendingMessage {
  clientMsgId: string;
  text: string;
  createdAt: number;
  /** The id of the message it answers, if any. */
  replyTo?: number;
  /** The uploads it sends (their ids), kept for a retry. */
  attachments?: string[];
  /** Why it was not sent, when it failed. */
  error: string | null;
}

export interface GapMarker {
  afterSeq: number;
  beforeSeq: number;
}

export class Timeline {
  private readonly byId = new Map<number, MessageView>();
  private ordered: MessageView[] = [];
  readonly pending: PendingMessage[] = [];
  gaps: GapMarker[] = [];

  get messages(): readonly MessageView[] {
    return this.ordered;
  }

  get oldestSeq(): number | null {
    return this.ordered[0]?.seq ?? null;
  }

  get newestSeq(): number | null {
    return this.ordered[this.ordered.length - 1]?.seq ?? null;
  }

  get(id: number): MessageView | undefined {
    return this.byId.get(id);
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  /** Add or replace (edits, deletions) one message; true when it was new. */
  upsert(message: MessageView): boolean {
    const known = this.byId.get(message.id);
    this.byId.set(message.id, message);
    if (message.clientMsgId !== null) this.settle(message.clientMsgId);
    if (known) {
      const index = this.ordered.indexOf(known);
      if (index >= 0) this.ordered[index] = message;
      return false;
    }
    let at = this.ordered.length;
    while (at > 0 && (this.ordered[at - 1]?.seq ?? 0) > message.seq) at--;
    this.ordered.splice(at, 0, message);
    return true;
  }

  /** A page of older messages (oldest first). */
  addPage(messages: readonly MessageView[]): void {
    for (const message of messages) this.upsert(message);
  }

  addPending(pending: PendingMessage): void {
    this.pending.push(pending);
  }

  /** The send with this clientMsgId is done (stored, or given up). */
  settle(clientMsgId: string): void {
    const index = this.pending.findIndex((p) => p.clientMsgId === clientMsgId);
    if (index >= 0) this.pending.splice(index, 1);
  }

  fail(clientMsgId: string, error: string): void {
    const pending = this.pending.find((p) => p.clientMsgId === clientMsgId);
    if (pending) pending.error = error;
  }

  addGap(gap: GapMarker): void {
    this.gaps = [...this.gaps.filter((g) => g.beforeSeq !== gap.beforeSeq), gap];
  }

  /** A gap whose hole has been filled by history pages is dropped. */
  pruneGaps(): void {
    this.gaps = this.gaps.filter((gap) => {
      for (let seq = gap.afterSeq + 1; seq < gap.beforeSeq; seq++) {
        if (!this.ordered.some((m) => m.seq === seq)) return true;
      }
      return false;
    });
  }
}
