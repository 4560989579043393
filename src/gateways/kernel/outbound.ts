/**
 * The bound on what a connection makes the server hold on its way out. The engine applies it to pushed
 * events (session.deliverDirect); the gateways apply it here to everything else they write: replies, acks,
 * errors. A write that finds the connection's unsent bytes over config.engine.outboundBufferBytes is not
 * made, and the connection is ended as a slow consumer (4008, or its framing's equivalent).
 */
import { disconnect, type Disconnect } from '../../core/disconnect.js';

export class OutboundBound {
  constructor(
    /** Read at each write, so that a configuration change applies at once. */
    private readonly limitBytes: () => number,
    private readonly bufferedBytes: () => number,
    /** Ends the connection; called with the slow-consumer disconnect. */
    private readonly end: (reason: Disconnect) => void,
  ) {}

  /** True while the connection may be written to. */
  get open(): boolean {
    return this.bufferedBytes() <= this.limitBytes();
  }

  /** Run `write` if the connection is within the bound; otherwise end the connection. True when written. */
  write(write: () => void): boolean {
    if (!this.open) {
      this.end(disconnect('slow_consumer'));
      return false;
    }
    write();
    return true;
  }
}
