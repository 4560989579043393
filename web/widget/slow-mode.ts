/**
 * A room's slow mode as the widget follows it: the room's interval (from the join reply and
 * `slow_mode_changed`) and the countdown until the reader may send again, started by their own send or by a
 * `slow_mode` refusal (which says exactly how long). Mods and above are exempt, as on the server.
 */
export class SlowMode {
  /** The room's interval in seconds; 0: off. */
  seconds = 0;
  private until = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly change: () => void) {}

  set(seconds: number): void {
    this.seconds = seconds;
    if (seconds === 0) this.stop();
  }

  /** The reader's message went out: the next one may go in the room's interval (staff: at once). */
  sent(exempt: boolean): void {
    if (this.seconds > 0 && !exempt) this.wait(this.seconds * 1000);
  }

  /** The server said when: wait that long. */
  wait(ms: number): void {
    this.until = Date.now() + ms;
    if (this.timer === null) {
      this.timer = setInterval(() => {
        if (this.remaining === 0) this.stop();
        this.change();
      }, 1000);
    }
    this.change();
  }

  /** Whole seconds until the reader may send; 0 when they may. */
  get remaining(): number {
    return Math.max(0, Math.ceil((this.until - Date.now()) / 1000));
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.until = 0;
  }
}
