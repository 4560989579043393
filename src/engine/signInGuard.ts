import { FailureLock, type FailureLockPolicy } from '../core/failureLock.js';
import { isParleyError } from '../core/errors.js';
import { rateLimited } from '../core/failures.js';
import { usernameKey } from '../core/names.js';
import { isLoopback, lockPolicy, registrationPolicy } from '../core/signInLimits.js';
import type { App } from '../core/types.js';
import type { Clock } from '../core/clock.js';

/** Keys held per lock (accounts, addresses, registrations); past it the least recently touched go first. */
const MAX_KEYS = 100_000;

type Guarded = [lock: FailureLock, key: string, policy: FailureLockPolicy];

/**
 * The limits of core/signInLimits.ts on this node: every path that checks a password (HTTP login, a dialect's
 * login, password credentials on a socket) and every registration passes here. A locked account or address is
 * refused with `rate_limited` before any password is hashed.
 */
export class SignInGuard {
  private readonly accounts = new FailureLock(MAX_KEYS);
  private readonly addresses = new FailureLock(MAX_KEYS);
  private readonly registrations = new FailureLock(MAX_KEYS);

  constructor(private readonly clock: Clock) {}

  async password<T>(
    app: App,
    username: unknown,
    address: string | undefined,
    check: () => Promise<T>,
  ): Promise<T> {
    const limits = app.settings.signIn;
    const guarded: Guarded[] = [];
    if (typeof username === 'string') {
      guarded.push([this.accounts, `${app.id}:${usernameKey(username)}`, lockPolicy(limits, 'account')]);
    }
    if (address !== undefined && !isLoopback(address)) {
      guarded.push([this.addresses, `${app.id}:${address}`, lockPolicy(limits, 'address')]);
    }
    this.admit(guarded);
    try {
      const result = await check();
      // A sign-in clears the account's failures; the address keeps its own (one good account does not
      // excuse guessing at others).
      this.end(guarded, (lock) => (lock === this.accounts ? 'forget' : 'succeeded'));
      return result;
    } catch (err) {
      // Only a wrong password counts; a refusal for another reason (malformed input, storage down) does not.
      const wrong = isParleyError(err) && err.code === 'unauthorized';
      this.end(guarded, () => (wrong ? 'failed' : 'succeeded'));
      throw err;
    }
  }

  /** Every registration attempt counts (each hashes a password), whether or not the name was free. */
  async registration<T>(app: App, address: string | undefined, create: () => Promise<T>): Promise<T> {
    if (address === undefined || isLoopback(address)) return create();
    const guarded: Guarded[] = [
      [this.registrations, `${app.id}:${address}`, registrationPolicy(app.settings.signIn)],
    ];
    this.admit(guarded);
    try {
      return await create();
    } finally {
      this.end(guarded, () => 'failed');
    }
  }

  private admit(guarded: Guarded[]): void {
    const now = this.clock.now();
    let wait = 0;
    for (const [lock, key, policy] of guarded) wait = Math.max(wait, lock.retryAfter(key, now, policy));
    if (wait > 0) throw rateLimited(wait);
    for (const [lock, key, policy] of guarded) lock.begin(key, now, policy);
  }

  private end(guarded: Guarded[], outcome: (lock: FailureLock) => 'failed' | 'succeeded' | 'forget'): void {
    const now = this.clock.now();
    for (const [lock, key, policy] of guarded) lock.end(key, now, policy, outcome(lock));
  }
}
