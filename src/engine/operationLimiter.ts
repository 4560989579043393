import { rateLimited } from '../core/failures.js';
import { operationLimit, type LimitedOperation } from '../core/operationLimits.js';
import { DEFAULT_APP_SETTINGS } from '../core/apps.js';
import type { App, AppId } from '../core/types.js';
import type { Clock } from '../core/clock.js';
import { RateLimiter } from './rateLimiter.js';

/** Who is held to a budget: a user of an app (all their connections on this node share it), or one reader. */
export interface LimitedCaller {
  readonly appId: AppId;
  /** The user's key (app and user), or the session's own for an anonymous reader, who has no user. */
  readonly limitKey: string;
}

/**
 * The one place every client operation is counted: a token bucket per user, operation and node, sized by the
 * app's `limits` (and `flood` for `send`), else by the defaults of core/operationLimits.ts. The app's
 * settings are read from what this node last loaded (a session's app is always loaded: it signed in), so
 * that the check is synchronous and runs before any other work.
 */
export class OperationLimiter {
  private readonly buckets = new RateLimiter();

  constructor(
    private readonly clock: Clock,
    private readonly knownApp: (appId: AppId) => App | undefined,
  ) {}

  /** Takes one token for `op`, or answers how long to wait. */
  take(caller: LimitedCaller, op: LimitedOperation): { ok: true } | { ok: false; retryAfterMs: number } {
    const settings = this.knownApp(caller.appId)?.settings ?? DEFAULT_APP_SETTINGS;
    return this.buckets.take(`${op}|${caller.limitKey}`, operationLimit(settings, op), this.clock.now());
  }

  /** Takes one token for `op`, or throws `rate_limited` with `retryAfterMs`. */
  enforce(caller: LimitedCaller, op: LimitedOperation): void {
    const taken = this.take(caller, op);
    if (!taken.ok) throw rateLimited(taken.retryAfterMs);
  }

  /** Forgets refilled buckets, so that memory follows the users active within a refill time. */
  sweep(): void {
    this.buckets.sweep(this.clock.now());
  }

  get size(): number {
    return this.buckets.size;
  }
}
