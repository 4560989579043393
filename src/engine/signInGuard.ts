import { isLoopback } from '../core/addresses.js';
import { FailureLock, type FailureLockPolicy } from '../core/failureLock.js';
import { isParleyError } from '../core/errors.js';
import { rateLimited } from '../core/failures.js';
import { usernameKey } from '../core/names.js';
import {
  DEFAULT_GUESTS_PER_ADDRESS_PER_MINUTE,
  HOUR_MS,
  lockPolicy,
  MINUTE_MS,
  registrationPolicy,
} from '../core/signInLimits.js';
import type { App } from '../core/types.js';
import type { Clock } from '../core/clock.js';
import type { Counters } from './ports/counters.js';

/** Keys held per lock (accounts, addresses, registrations); past it the least recently touched go first. */
const MAX_KEYS = 100_000;

type Guarded = [lock: FailureLock, key: string, policy: FailureLockPolicy];

/**
 * The limits of core/signInLimits.ts: every path that checks a password (HTTP login, a dialect's login,
 * password credentials on a socket), every registration and every new guest passes here. A locked account or
 * address is refused with `rate_limited` before any password is hashed.
 *
 * This node's locks also count the attempts still running, so that a parallel burst cannot pass before the
 * first one fails. In cluster mode the shared counters (ports/counters.ts) hold the same limits across nodes:
 * a guesser spread over every node is locked after the limit, not after the limit times the nodes.
 */
export class SignInGuard {
  private readonly accounts = new FailureLock(MAX_KEYS);
  private readonly addresses = new FailureLock(MAX_KEYS);
  private readonly registrations = new FailureLock(MAX_KEYS);
  /** The cluster's counters; null on one node, where this node's locks are the whole story. */
  private readonly shared: Counters | null;

  constructor(
    private readonly clock: Clock,
    private readonly counters: Counters,
  ) {
    this.shared = counters.scope === 'cluster' ? counters : null;
  }

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
    await this.admit(guarded);
    try {
      const result = await check();
      // A sign-in clears the account's failures; the address keeps its own (one good account does not
      // excuse guessing at others).
      this.end(guarded, (lock) => (lock === this.accounts ? 'forget' : 'succeeded'));
      const account = guarded.find(([lock]) => lock === this.accounts);
      if (account && this.shared) await this.shared.clear(this.sharedKey(account));
      return result;
    } catch (err) {
      // Only a wrong password counts; a refusal for another reason (malformed input, storage down) does not.
      const wrong = isParleyError(err) && err.code === 'unauthorized';
      this.end(guarded, () => (wrong ? 'failed' : 'succeeded'));
      const shared = this.shared;
      if (wrong && shared) await Promise.all(guarded.map((g) => shared.fail(this.sharedKey(g), g[2])));
      throw err;
    }
  }

  /** Every registration attempt counts (each hashes a password), whether or not the name was free. */
  async registration<T>(app: App, address: string | undefined, create: () => Promise<T>): Promise<T> {
    if (address === undefined || isLoopback(address)) return create();
    const guarded: Guarded[] = [
      [this.registrations, `${app.id}:${address}`, registrationPolicy(app.settings.signIn)],
    ];
    this.admitHere(guarded);
    try {
      if (this.shared) {
        const max = app.settings.signIn.registrationsPerAddressPerHour;
        const taken = await this.shared.hit(`register:${app.id}:${address}`, HOUR_MS, max);
        if (!taken.ok) throw rateLimited(taken.retryAfterMs);
      }
      return await create();
    } finally {
      this.end(guarded, () => 'failed');
    }
  }

  /**
   * A new guest identity (a nickname new to the app) from `address`: at most the app's
   * `guestsPerAddressPerMinute`, counted across the cluster. The server's own machine is not limited.
   */
  async newGuest<T>(app: App, address: string | undefined, create: () => Promise<T>): Promise<T> {
    if (address === undefined || isLoopback(address)) return create();
    const max = app.settings.signIn.guestsPerAddressPerMinute ?? DEFAULT_GUESTS_PER_ADDRESS_PER_MINUTE;
    const hit = this.counters.hit(`guest:${app.id}:${address}`, MINUTE_MS, max);
    const taken = hit instanceof Promise ? await hit : hit;
    if (!taken.ok) throw rateLimited(taken.retryAfterMs);
    return create();
  }

  /** This node's locks first (the attempt is counted as running at once), then the cluster's. */
  private async admit(guarded: Guarded[]): Promise<void> {
    this.admitHere(guarded);
    if (!this.shared) return;
    const shared = this.shared;
    const waits = await Promise.all(guarded.map((g) => shared.lockedFor(this.sharedKey(g), g[2])));
    const wait = Math.max(0, ...waits);
    if (wait > 0) {
      this.end(guarded, () => 'succeeded');
      throw rateLimited(wait);
    }
  }

  /** The key of a lock in the shared counters: which lock, then this node's key. */
  private sharedKey([lock, key]: Guarded): string {
    return `${lock === this.accounts ? 'account' : 'address'}:${key}`;
  }

  private admitHere(guarded: Guarded[]): void {
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
