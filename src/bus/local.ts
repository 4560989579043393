import type { Bus, BusHandler, BusMessage } from '../engine/ports/bus.js';

/**
 * The in-process bus. Alone it connects one node to nobody; several nodes made from one LocalBusHub talk to
 * each other in one process, which is how multi-node behaviour is tested without Redis.
 */
export class LocalBusHub {
  private readonly handlers = new Set<BusHandler>();

  connect(): Bus {
    let own: BusHandler | null = null;
    return {
      publish: (message: BusMessage) => {
        for (const handler of this.handlers) {
          if (handler !== own) queueMicrotask(() => handler(message));
        }
      },
      onMessage: (handler: BusHandler) => {
        if (own) this.handlers.delete(own);
        own = handler;
        this.handlers.add(handler);
      },
    };
  }
}

export function createLocalBus(): Bus {
  return new LocalBusHub().connect();
}
