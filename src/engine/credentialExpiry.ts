import type { Clock } from '../core/clock.js';
import { disconnect, type Disconnect } from '../core/disconnect.js';

/** The session whose credentials these are: an object rather than a callback, so no closure per session. */
export interface ExpiringSession {
  terminate(reason: Disconnect): void;
}

/** The longest a Node timer can wait (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Ends a session when its credentials expire. A timer cannot wait longer than MAX_TIMER_MS; a later expiry
 * (tokens last 30 days by default) is reached by waiting that long and arming again. Unref'd: it never keeps
 * the process alive.
 */
export class CredentialExpiry {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly session: ExpiringSession,
  ) {}

  /** Wait for `expiresAt` (ms since epoch), replacing any earlier wait; null: never. */
  arm(expiresAt: number | null): void {
    this.stop();
    if (expiresAt === null) return;
    const delay = Math.max(0, expiresAt - this.clock.now());
    const fire = () =>
      delay > MAX_TIMER_MS ? this.arm(expiresAt) : this.session.terminate(disconnect('credentials_expired'));
    this.timer = setTimeout(fire, Math.min(delay, MAX_TIMER_MS));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
