/**
 * The ordered outbound side of one connection. Replies and pushes are written in the order they were queued;
 * most writes are synchronous, but a push may need to ask the engine first (may this user see that private
 * channel?), and everything queued behind it waits. Queued bytes count towards the slow-consumer bound.
 */
export type OutboxStep = () => void | Promise<void>;

export class Outbox {
  private readonly queue: { step: OutboxStep; size: number }[] = [];
  private draining = false;
  private stopped = false;
  private queued = 0;

  constructor(private readonly onError: (err: unknown) => void) {}

  /** Bytes queued but not yet handed to the socket. */
  get queuedBytes(): number {
    return this.queued;
  }

  push(step: OutboxStep, size: number): void {
    if (this.stopped) return;
    this.queue.push({ step, size });
    this.queued += size;
    if (!this.draining) void this.drain();
  }

  /** Drop what is queued and accept nothing more (the connection is closing). */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.queued = 0;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (;;) {
        if (this.stopped) return;
        const item = this.queue.shift();
        if (!item) return;
        this.queued -= item.size;
        try {
          const pending = item.step();
          if (pending instanceof Promise) await pending;
        } catch (err) {
          this.onError(err);
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
