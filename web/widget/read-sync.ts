/**
 * Tells the server how far the reader has read (`read`), at most once per interval: a mark within the interval
 * waits for its end and only the highest seq is sent. A marker never moves back, so lower seqs are dropped.
 */
export class ReadSync {
  private sent = 0;
  private wanted = 0;
  private lastAt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly send: (seq: number) => Promise<unknown>,
    private readonly intervalMs = 1000,
  ) {}

  /** The server's marker (from the join or a `read` event): nothing at or below it needs sending. */
  known(seq: number): void {
    this.sent = Math.max(this.sent, seq);
  }

  mark(seq: number): void {
    if (seq <= this.sent || seq <= this.wanted) return;
    this.wanted = seq;
    if (this.timer) return;
    const wait = Math.max(0, this.lastAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private flush(): void {
    this.timer = null;
    const seq = this.wanted;
    if (seq <= this.sent) return;
    this.sent = seq;
    this.lastAt = Date.now();
    void this.send(seq).catch(() => {
      // Not read on the server (offline, say): the next mark tries again.
      if (this.sent === seq) this.sent = this.wanted = 0;
    });
  }
}
