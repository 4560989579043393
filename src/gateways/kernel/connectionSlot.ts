/**
 * The engine session of one connection, and the connection's end. The session is closed exactly once,
 * whoever ends first (the socket, the server, a failed sign-in), and a closed slot takes no new session:
 * a sign-in that finishes after the socket has gone closes what it opened.
 */
import type { Session } from '../../engine/api.js';
import type { FailureLog } from './failures.js';

export class ConnectionSlot {
  private held: Session | null = null;
  private ended = false;

  constructor(private readonly fail: FailureLog) {}

  /** The session, when one is open. */
  get session(): Session | null {
    return this.held;
  }

  /** True once the connection has ended: nothing more is handled for it. */
  get closed(): boolean {
    return this.ended;
  }

  /** Keep a newly opened session; false (and the session closed) when the connection has already ended. */
  fill(session: Session): boolean {
    if (this.ended) {
      this.closeSession(session, false);
      return false;
    }
    this.held = session;
    return true;
  }

  /** Close the session but keep the connection (a sign-in that failed half-way may be tried again). */
  release(): void {
    const session = this.held;
    this.held = null;
    if (session) this.closeSession(session, false);
  }

  /**
   * The connection is gone: true the first time, when the caller releases what else it holds. `immediate`
   * ends the user's presence at once (a deliberate leave) instead of after the grace period.
   */
  end(opts: { immediate?: boolean } = {}): boolean {
    if (this.ended) return false;
    this.ended = true;
    const session = this.held;
    this.held = null;
    if (session) this.closeSession(session, opts.immediate === true);
    return true;
  }

  private closeSession(session: Session, immediate: boolean): void {
    try {
      session.close({ immediate });
    } catch (err) {
      this.fail(err, 'close');
    }
  }
}
