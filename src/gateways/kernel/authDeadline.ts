/**
 * [proto.auth-timeout] A connection has config.authTimeoutMs, from the moment it is open, to authenticate;
 * one that has not by then is ended with `auth_timeout`. Every gateway arms this one timer.
 */
export class AuthDeadline {
  private timer: ReturnType<typeof setTimeout> | null;

  /** `expire` runs once, when the time is up and the deadline was neither met nor cancelled. */
  constructor(timeoutMs: number, expire: () => void) {
    this.timer = setTimeout(() => {
      this.timer = null;
      expire();
    }, timeoutMs);
    // A pending deadline must not keep a stopping process alive.
    this.timer.unref();
  }

  get pending(): boolean {
    return this.timer !== null;
  }

  /** The connection authenticated, or is gone. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
