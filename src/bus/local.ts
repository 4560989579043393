import type { Bus, BusHandler, BusMessage } from '../engine/ports/bus.js';

interface Member {
  handler: BusHandler | null;
  topics: Set<string>;
}

/**
 * The in-process bus. Alone it connects one node to nobody; several nodes made from one LocalBusHub talk to
 * each other in one process, which is how multi-node behaviour is tested without Redis. Topics are routed as
 * Redis routes its channels: a message on a topic reaches only the nodes subscribed to it.
 */
export class LocalBusHub {
  private readonly members = new Set<Member>();

  connect(): Bus {
    const own: Member = { handler: null, topics: new Set() };
    this.members.add(own);
    return {
      publish: (message: BusMessage, topic?: string) => {
        for (const member of this.members) {
          const handler = member.handler;
          if (member === own || !handler) continue;
          if (topic === undefined || member.topics.has(topic)) queueMicrotask(() => handler(message));
        }
      },
      onMessage: (handler: BusHandler) => {
        own.handler = handler;
      },
      subscribe: (topic: string) => {
        own.topics.add(topic);
        return Promise.resolve();
      },
      unsubscribe: (topic: string) => {
        own.topics.delete(topic);
      },
    };
  }
}

export function createLocalBus(): Bus {
  return new LocalBusHub().connect();
}
