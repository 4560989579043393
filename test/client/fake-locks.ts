/**
 * Web Locks for tests in Node, which has none: exclusive locks granted in request order, each tab's own view of
 * the manager able to vanish as a closed tab does (its locks let go, its queued requests dropped).
 */
import type { LockManagerLike } from '../../src/client/index.js';

interface Waiting {
  tab: FakeTabLocks;
  run(): void;
}

export class FakeLockManager {
  private readonly holders = new Map<string, FakeTabLocks>();
  private readonly queues = new Map<string, Waiting[]>();
  private readonly releases = new Map<string, () => void>();

  /** The manager as one tab sees it. */
  tab(): FakeTabLocks {
    return new FakeTabLocks(this);
  }

  holder(name: string): FakeTabLocks | undefined {
    return this.holders.get(name);
  }

  request(tab: FakeTabLocks, name: string, callback: () => Promise<void>): Promise<unknown> {
    return new Promise<unknown>((resolve) => {
      const run = () => {
        this.holders.set(name, tab);
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          this.releases.delete(name);
          this.holders.delete(name);
          resolve(undefined);
          this.next(name);
        };
        this.releases.set(name, release);
        callback().then(release, release);
      };
      if (this.holders.has(name)) {
        const queue = this.queues.get(name) ?? [];
        queue.push({ tab, run });
        this.queues.set(name, queue);
      } else {
        queueMicrotask(run);
      }
    });
  }

  /** `tab` closed: every lock it holds is let go and what it waits for is forgotten. */
  vanish(tab: FakeTabLocks): void {
    for (const [name, queue] of this.queues) {
      this.queues.set(
        name,
        queue.filter((waiting) => waiting.tab !== tab),
      );
    }
    for (const [name, holder] of [...this.holders]) if (holder === tab) this.releases.get(name)?.();
  }

  private next(name: string): void {
    const waiting = this.queues.get(name)?.shift();
    if (waiting) queueMicrotask(waiting.run);
  }
}

export class FakeTabLocks implements LockManagerLike {
  constructor(private readonly manager: FakeLockManager) {}

  request(name: string, callback: () => Promise<void>): Promise<unknown> {
    return this.manager.request(this, name, callback);
  }

  vanish(): void {
    this.manager.vanish(this);
  }
}
