/** Typing indicators: who else is typing, and telling the room that the user is. */
import type { UserRef } from '../../src/client/index.js';

/** How long "is typing" shows without news (the server throttles repeats to one every 2 s). */
const SHOWN_MS = 6000;
/** The user's own typing is repeated at most this often while they type... */
const RESEND_MS = 2500;
/** ...and reported stopped after this long without a keystroke. */
const IDLE_MS = 4000;

export class TypingRoster {
  private readonly entries = new Map<number, { user: UserRef; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly changed: () => void) {}

  set(user: UserRef, typing: boolean): void {
    const known = this.entries.get(user.id);
    if (known) clearTimeout(known.timer);
    this.entries.delete(user.id);
    if (!typing) return;
    const timer = setTimeout(() => {
      this.entries.delete(user.id);
      this.changed();
    }, SHOWN_MS);
    this.entries.set(user.id, { user, timer });
  }

  get names(): string[] {
    return [...this.entries.values()].map((e) => e.user.username);
  }

  clear(): void {
    for (const { timer } of this.entries.values()) clearTimeout(timer);
    this.entries.clear();
  }
}

export class TypingSignal {
  private sentAt = 0;
  private idle: ReturnType<typeof setTimeout> | null = null;

  /** `send` tells the room; failures are the caller's to ignore. */
  constructor(private readonly send: (typing: boolean) => void) {}

  /** A keystroke. */
  note(): void {
    const now = Date.now();
    if (now - this.sentAt > RESEND_MS) {
      this.sentAt = now;
      this.send(true);
    }
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => this.stop(), IDLE_MS);
  }

  /** Sent, blurred or paused: "stopped typing", once, if "typing" was said. */
  stop(canSend = true): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    if (this.sentAt === 0) return;
    this.sentAt = 0;
    if (canSend) this.send(false);
  }
}
