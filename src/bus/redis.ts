import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { BUS_VERSION, type Bus, type BusHandler, type BusMessage } from '../engine/ports/bus.js';

export interface RedisBusOptions {
  url: string;
  /** The pub/sub channel shared by the nodes of one cluster; topics are channels under it (`<channel>:<topic>`). */
  channel?: string;
  logger: Logger;
}

export interface RedisBus extends Bus {
  /** Resolves once both connections are up (the node works without them, alone, until then). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_CHANNEL = 'parley:bus';
const MAX_BACKOFF_MS = 5000;
/** How long a room's join waits for its topic's SUBSCRIBE to be answered before it goes on regardless. */
const SUBSCRIBE_WAIT_MS = 2000;

/** Reconnect with backoff: 100 ms, 200 ms, … up to 5 s between tries, for as long as it takes. */
function retryStrategy(times: number): number {
  return Math.min(100 * 2 ** Math.min(times, 6), MAX_BACKOFF_MS) + Math.floor(Math.random() * 100);
}

/**
 * The bus between nodes over Redis pub/sub. Publishing never waits and never queues while Redis is away:
 * what is published then is lost to the other nodes, but it is committed in storage, and every node is told
 * `resync` when its subscription comes back, so it reads back whatever it missed. A node that loses Redis
 * keeps serving its own clients.
 */
export function createRedisBus(opts: RedisBusOptions): RedisBus {
  const channel = opts.channel ?? DEFAULT_CHANNEL;
  const log = opts.logger;
  const common = { retryStrategy, lazyConnect: false, maxRetriesPerRequest: null } as const;
  const pub = new Redis(opts.url, { ...common, enableOfflineQueue: false, connectionName: 'parley-pub' });
  const sub = new Redis(opts.url, { ...common, connectionName: 'parley-sub', autoResubscribe: false });
  let handler: BusHandler | null = null;
  let subscribedOnce = false;
  let closed = false;

  for (const [name, conn] of [
    ['pub', pub],
    ['sub', sub],
  ] as const) {
    conn.on('error', (err: Error) =>
      log.warn({ err: err.message, conn: name }, 'redis bus connection error'),
    );
    conn.on('end', () => {
      if (!closed) log.warn({ conn: name }, 'redis bus connection ended');
    });
  }

  // What this node published while its publishing connection was down never reached the others: when it is
  // back, every node (this one by its handler, the others through Redis) resyncs from storage.
  let publishedOnce = false;
  pub.on('ready', () => {
    if (publishedOnce && !closed) {
      log.info('redis bus publisher reconnected: asking every node to resync');
      const resync: BusMessage = { v: BUS_VERSION, type: 'resync', origin: 'redis' };
      pub
        .publish(channel, JSON.stringify(resync))
        .catch((err: unknown) => log.debug({ err }, 'resync publish failed'));
    }
    publishedOnce = true;
  });
  const pubReady = () =>
    pub.status === 'ready'
      ? Promise.resolve()
      : new Promise<void>((resolve) => pub.once('ready', () => resolve()));
  // The topics the engine wants heard, kept here so that a new connection subscribes to all of them (ioredis's
  // own re-subscription is off: this is the one list).
  const topics = new Set<string>();
  const prefix = `${channel}:`;
  // Resync only once the subscriptions are confirmed (a SUBSCRIBE answered on this connection) and this node
  // can publish again: a resync read before that could miss what is published between the read and the
  // subscription. On the first connection too: what the engine subscribed to meanwhile is subscribed here.
  const subscribeAndResync = async (): Promise<void> => {
    await sub.subscribe(channel, ...[...topics].map((topic) => prefix + topic));
    await pubReady();
    if (!closed) handler?.({ v: BUS_VERSION, type: 'resync', origin: 'redis' });
  };
  let firstSubscription: () => void = () => {};
  const subscribed = new Promise<void>((resolve) => (firstSubscription = resolve));
  sub.on('ready', () => {
    if (subscribedOnce) log.info('redis bus reconnected: resubscribing and resyncing');
    subscribedOnce = true;
    // The subscriptions came back: messages may have been missed meanwhile, so the engine resyncs.
    subscribeAndResync()
      .then(firstSubscription)
      .catch((err: unknown) => log.warn({ err }, 'redis bus subscribe failed'));
  });
  sub.on('message', (from: string, raw: string) => {
    if ((from !== channel && !from.startsWith(prefix)) || !handler) return;
    // Anything may be published on the channel: what is not JSON is dropped here, and the engine checks the
    // shape of the rest before acting on it.
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch (err) {
      log.warn(
        { channel: from, bytes: raw.length, err: err instanceof Error ? err.message : String(err) },
        'redis bus: dropped a message that is not JSON',
      );
      return;
    }
    try {
      handler(message);
    } catch (err) {
      log.error({ err }, 'redis bus handler failed');
    }
  });

  /** A SUBSCRIBE not answered within this lets a join go on: the resync after a reconnect covers the rest. */
  const waitAtMost = <T>(work: Promise<T>): Promise<void> =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, SUBSCRIBE_WAIT_MS);
      timer.unref();
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      work.then(done, (err: unknown) => {
        log.debug({ err }, 'redis bus topic subscription failed');
        done();
      });
    });

  return {
    ready: subscribed,
    publish(message: BusMessage, topic?: string): void {
      if (pub.status !== 'ready') return;
      const to = topic === undefined ? channel : prefix + topic;
      pub.publish(to, JSON.stringify(message)).catch((err: unknown) => {
        log.debug({ err }, 'redis bus publish failed');
      });
    },
    onMessage(next: BusHandler): void {
      handler = next;
    },
    subscribe(topic: string): Promise<void> {
      if (topics.has(topic)) return Promise.resolve();
      topics.add(topic);
      // While the connection is down the topic waits in the list, subscribed with the others when it is back.
      if (sub.status !== 'ready') return Promise.resolve();
      return waitAtMost(sub.subscribe(prefix + topic));
    },
    unsubscribe(topic: string): void {
      if (!topics.delete(topic) || sub.status !== 'ready') return;
      sub
        .unsubscribe(prefix + topic)
        .catch((err: unknown) => log.debug({ err }, 'redis bus unsubscribe failed'));
    },
    async close(): Promise<void> {
      closed = true;
      await Promise.allSettled([pub.quit(), sub.quit()]);
      pub.disconnect();
      sub.disconnect();
    },
  };
}
