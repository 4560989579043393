import { rateLimited } from '../core/failures.js';
import { operationLimit, type LimitedOperation } from '../core/operationLimits.js';
import { DEFAULT_APP_SETTINGS } from '../core/apps.js';
import type { App, AppId, AppSettings } from '../core/types.js';
import type { Clock } from '../core/clock.js';
import type { Counters, Taken } from './ports/counters.js';
import { RateLimiter } from './rateLimiter.js';

/** Who is held to a budget: a user of an app (all their connections share it), or one reader. */
export interface LimitedCaller {
  readonly appId: AppId;
  /** The user's key (app and user), or the session's own for an anonymous reader, who has no user. */
  readonly limitKey: string;
}

/**
 * The one place every client operation is counted: a token bucket per user and operation, sized by the app's
 * `limits` (and `flood` for `send`), else by the defaults of core/operationLimits.ts, kept in the engine's
 * counters (ports/counters.ts): this node's memory, or Redis in cluster mode, where a user connected to three
 * nodes has the budget of one. The app's settings are read from what this node last loaded (a session's app
 * is always loaded: it signed in), so that the check runs before any other work, and on one node without a
 * promise.
 */
export class OperationLimiter {
  /** Budgets a caller cannot wait for (typing, watching presence): this node's, always synchronous. */
  private readonly here = new RateLimiter();

  constructor(
    private readonly clock: Clock,
    private readonly knownApp: (appId: AppId) => App | undefined,
    private readonly counters: Counters,
  ) {}

  /** Takes one token of this node's bucket for `op`, at once, or answers how long to wait. */
  takeHere(caller: LimitedCaller, op: LimitedOperation): Taken {
    return this.here.take(keyOf(caller, op), operationLimit(this.settings(caller), op), this.clock.now());
  }

  /**
   * Takes one token for `op`, or throws `rate_limited` with `retryAfterMs`: synchronously on one node, after
   * one round trip to the shared counters in cluster mode.
   */
  enforce(caller: LimitedCaller, op: LimitedOperation): void | Promise<void> {
    const taken = this.counters.take(keyOf(caller, op), operationLimit(this.settings(caller), op));
    if (taken instanceof Promise) return taken.then(refuseUnless);
    refuseUnless(taken);
  }

  /** Forgets refilled buckets, so that memory follows the users active within a refill time. */
  sweep(): void {
    this.here.sweep(this.clock.now());
    this.counters.sweep();
  }

  private settings(caller: LimitedCaller): AppSettings {
    return this.knownApp(caller.appId)?.settings ?? DEFAULT_APP_SETTINGS;
  }
}

function keyOf(caller: LimitedCaller, op: LimitedOperation): string {
  return `op:${op}|${caller.limitKey}`;
}

function refuseUnless(taken: Taken): void {
  if (!taken.ok) throw rateLimited(taken.retryAfterMs);
}
