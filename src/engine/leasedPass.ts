import type { EngineContext } from './context.js';

/**
 * A background pass that one node of the cluster runs at a time: the node that takes the named lease (ports/
 * dataProtectionStore.ts takeLease) runs it and renews the lease as it goes; a pass already running on this node
 * is joined rather than started twice. Retention and the webhook delivery prune are passes.
 */
export abstract class LeasedPass<T> {
  private running: Promise<T> | null = null;
  protected stopped = false;

  constructor(
    protected readonly ctx: EngineContext,
    private readonly leaseName: string,
  ) {}

  /** How long the lease is held after the last renewal. */
  protected abstract leaseMs(): number;
  protected abstract run(): Promise<T>;

  /** One pass; a pass already running on this node is joined. */
  sweep(): Promise<T> {
    this.running ??= this.ctx.track(this.run()).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  stop(): void {
    this.stopped = true;
  }

  /** Takes or renews the lease: false when another node holds it. */
  protected lease(): Promise<boolean> {
    const { store, nodeId, clock } = this.ctx;
    return store.dataProtection.takeLease(this.leaseName, nodeId, clock.now(), this.leaseMs());
  }
}
