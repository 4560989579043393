/**
 * The bound on what a connection makes the server hold on its way out. The engine applies it to pushed
 * events (session.deliverDirect); the gateways apply it here to everything else they write: replies, acks,
 * errors. Both use the one slow-consumer rule (core/backlog.ts): a write that finds the connection over the
 * hard cap, or over `outboundBufferBytes` for longer than the grace period, is not made, and the connection is
 * ended as a slow consumer (4008, or its framing's equivalent).
 */
import type { BacklogLimits } from '../../core/backlog.js';
import { BacklogRule } from '../../core/backlog.js';
import { disconnect, type Disconnect } from '../../core/disconnect.js';

/** The connection the bound applies to. */
export interface BoundConnection {
  /** Unsent bytes of the connection. */
  bufferedBytes(): number;
  /** Ends the connection; called with the slow-consumer disconnect. */
  end(reason: Disconnect): void;
}

export class OutboundBound {
  private readonly rule: BacklogRule;

  constructor(
    /** Read at each write, so that a configuration change applies at once. */
    limits: () => BacklogLimits,
    private readonly connection: BoundConnection,
    now: () => number = Date.now,
  ) {
    this.rule = new BacklogRule(limits, now);
  }

  /** Run `write` if the connection is not too slow; otherwise end the connection. True when written. */
  write(write: () => void): boolean {
    if (this.rule.tooSlow(this.connection.bufferedBytes())) {
      this.connection.end(disconnect('slow_consumer'));
      return false;
    }
    write();
    return true;
  }
}
