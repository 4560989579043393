import type { Logger } from 'pino';

/** One background chore: run every `every` sweeps; `failed` names it in the log line of a failure. */
export interface Chore {
  every: number;
  failed: string;
  run(): unknown;
}

export function chore(every: number, failed: string, run: () => unknown): Chore {
  return { every, failed, run };
}

/**
 * The engine's background chores on one unref'd timer (forgetting refilled buckets, removing unused guests,
 * unsent uploads, expired tokens, old messages). A chore's failure is logged and never stops the others.
 */
export class Sweeper {
  private sweeps = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly logger: Logger,
    intervalMs: number,
    private readonly chores: readonly Chore[],
  ) {
    this.timer = setInterval(() => this.sweep(), intervalMs);
    this.timer.unref();
  }

  private sweep(): void {
    this.sweeps += 1;
    for (const chore of this.chores) {
      if (this.sweeps % chore.every !== 0) continue;
      const fail = (err: unknown) => this.logger.warn({ err }, chore.failed);
      try {
        const running = chore.run();
        if (running instanceof Promise) running.catch(fail);
      } catch (err) {
        fail(err);
      }
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
