/**
 * When a connection's unsent bytes mean it has stopped reading, rather than that a burst is on its way to a
 * healthy reader. Group commit and busy rooms hand a reader a burst at once; a bound checked on its own cannot
 * tell that from a reader that stopped, so the rule has two parts: over the hard cap at any time is too slow at
 * once (what the server may hold for one connection stays bounded), and over the soft bound is too slow only
 * when it has stayed over it for the grace period (a burst drains well within it; a stopped reader never does).
 */
export interface BacklogLimits {
  /** Over this for `graceMs` and still over it: too slow. */
  softBytes: number;
  /** Over this at any time: too slow at once. Never below `softBytes`. */
  hardBytes: number;
  graceMs: number;
}

export class BacklogRule {
  /** When the backlog was first seen over the soft bound without dropping back since; null: within it. */
  private overSince: number | null = null;

  constructor(
    /** Read at each check, so that a configuration change applies at once. */
    private readonly limits: () => BacklogLimits,
    private readonly now: () => number,
  ) {}

  /** Whether a connection holding `bufferedBytes` unsent is too slow to be written to again. */
  tooSlow(bufferedBytes: number): boolean {
    // Nothing unsent is within any bound: the common case of every fan-out, decided without reading the limits.
    if (bufferedBytes <= 0) {
      this.overSince = null;
      return false;
    }
    const { softBytes, hardBytes, graceMs } = this.limits();
    if (bufferedBytes <= softBytes) {
      this.overSince = null;
      return false;
    }
    if (bufferedBytes > Math.max(hardBytes, softBytes)) return true;
    const now = this.now();
    if (this.overSince === null) {
      this.overSince = now;
      return false;
    }
    return now - this.overSince >= graceMs;
  }
}
