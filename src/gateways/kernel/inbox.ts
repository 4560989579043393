/**
 * The bounded inbox of one connection: what a client sends is handled in arrival order, at most `concurrency`
 * at a time (1 for the dialects, whose replies follow their requests' order), and at most INBOX_LIMIT
 * requests are held, running or waiting. A request over the bound is not taken: the gateway refuses it its
 * own way. So a client that pipelines requests without end makes the server hold a bounded amount.
 */

/** Requests one connection may have accepted and not yet finished (running and waiting), in every gateway. */
export const INBOX_LIMIT = 64;

/** Requests of one connection that run at the same time, where the protocol lets them run concurrently. */
export const MAX_IN_FLIGHT = 8;

export type InboxTask = () => Promise<void> | void;

export class Inbox {
  private readonly waiting: InboxTask[] = [];
  private running = 0;
  private stopped = false;

  constructor(
    /** A task that throws is a bug of the gateway: it is reported here (during `request`) and the inbox goes on. */
    private readonly onError: (err: unknown, during: 'request') => void,
    private readonly concurrency = 1,
  ) {}

  /** Requests held: running and waiting. */
  get size(): number {
    return this.running + this.waiting.length;
  }

  /** Take a request; false when the inbox is full (or stopped) and the caller must refuse it. */
  offer(task: InboxTask): boolean {
    if (this.stopped || this.size >= INBOX_LIMIT) return false;
    // Straight on when nothing waits and there is room: the queue's array grows only when requests do wait,
    // and an array once grown keeps its backing store for as long as the connection lives.
    if (this.waiting.length === 0 && this.running < this.concurrency) {
      this.running += 1;
      void this.run(task);
      return true;
    }
    this.waiting.push(task);
    this.next();
    return true;
  }

  /** The connection has ended: what waits is dropped, what runs finishes on its own. */
  stop(): void {
    this.stopped = true;
    this.waiting.length = 0;
  }

  private next(): void {
    while (!this.stopped && this.running < this.concurrency) {
      const task = this.waiting.shift();
      if (!task) return;
      this.running += 1;
      void this.run(task);
    }
  }

  private async run(task: InboxTask): Promise<void> {
    try {
      // Never inside the caller's frame: a request starts after the socket event that brought it has returned.
      await Promise.resolve();
      if (this.stopped) return;
      await task();
    } catch (err) {
      this.onError(err, 'request');
    } finally {
      this.running -= 1;
      this.next();
    }
  }
}
