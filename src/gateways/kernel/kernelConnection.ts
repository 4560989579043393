import type { Session } from '../../engine/api.js';
import type { ConnectionKernel } from './connection.js';

/** What every gateway's connection reads off its kernel, written once. */
export abstract class KernelConnection {
  protected abstract readonly kernel: ConnectionKernel;

  get id(): string {
    return this.kernel.id;
  }

  /** The connection's engine session; null until it signs in, and again once it has ended. */
  protected get session(): Session | null {
    return this.kernel.slot.session;
  }
}
