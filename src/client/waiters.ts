/** Requests made while the client is not open wait here for the connection, each within its own timeout. */
import { ParleyClientError } from './errors.js';
import type { Transport } from './transport.js';

interface OpenWaiter {
  resolve(transport: Transport): void;
  reject(err: ParleyClientError): void;
}

export class OpenWaiters {
  private readonly waiters = new Set<OpenWaiter>();

  /** Resolves with the transport once the client is open; rejects with `timeout` after `timeoutMs`. */
  wait(op: string, timeoutMs: number): Promise<Transport> {
    return new Promise<Transport>((resolve, reject) => {
      const waiter: OpenWaiter = {
        resolve: (transport) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(transport);
        },
        reject: (err) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          reject(err);
        },
      };
      const timer = setTimeout(
        () => waiter.reject(new ParleyClientError('timeout', `${op}: not connected within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.add(waiter);
    });
  }

  resolveAll(transport: Transport): void {
    for (const waiter of [...this.waiters]) waiter.resolve(transport);
  }

  rejectAll(err: ParleyClientError): void {
    for (const waiter of [...this.waiters]) waiter.reject(err);
  }
}
