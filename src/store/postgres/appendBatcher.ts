/**
 * Group commit: calls that arrive while a batch is being stored wait in a queue and go out together as the next
 * batch. One batch is in flight at a time, so items leave in arrival order and a later batch starts only after
 * the earlier one has committed (or failed): the order of a room's appends is the order they arrived in.
 */

/** One item's outcome in a batch: its value, or the error that refused it alone. */
export type Settled<O> = { ok: true; value: O } | { ok: false; error: unknown };

export interface AppendBatcherOptions<I, O> {
  /** The most items one batch takes; the rest wait for the next. */
  maxBatch: number;
  /** The most items waiting (not counting the batch in flight); one more is refused with `full()`. */
  maxQueued: number;
  /** Stores a batch; resolves with one outcome per item, in order. A rejection fails every item of the batch. */
  run(items: readonly I[]): Promise<readonly Settled<O>[]>;
  full(): Error;
}

interface Waiting<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export class AppendBatcher<I, O> {
  private queue: Waiting<I, O>[] = [];
  private running = false;

  constructor(private readonly opts: AppendBatcherOptions<I, O>) {}

  /** How many items wait behind the batch in flight. */
  get queued(): number {
    return this.queue.length;
  }

  /** Resolves once the item's batch has committed; never before. */
  submit(item: I): Promise<O> {
    if (this.queue.length >= this.opts.maxQueued) return Promise.reject(this.opts.full());
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.opts.maxBatch);
        let outcomes: readonly Settled<O>[] | null = null;
        let failure: unknown = null;
        try {
          outcomes = await this.opts.run(batch.map((w) => w.item));
        } catch (err) {
          failure = err;
        }
        batch.forEach((waiting, i) => {
          const outcome = outcomes?.[i];
          if (outcome?.ok === true) waiting.resolve(outcome.value);
          else if (outcome) waiting.reject(outcome.error);
          else waiting.reject(failure ?? new Error('a batch answered fewer items than it was given'));
        });
      }
    } finally {
      this.running = false;
    }
  }
}
