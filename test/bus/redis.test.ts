import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisBus, type RedisBus } from '../../src/bus/redis.js';
import { BUS_VERSION, type BusMessage } from '../../src/engine/ports/bus.js';
import { requireTestRedis, startOwnRedis, TEST_REDIS_URL } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const REDIS_URL = TEST_REDIS_URL;
const logger = pino({ level: 'silent' });

const available = await requireTestRedis();

describe.skipIf(!available)('redis bus', () => {
  const buses: RedisBus[] = [];
  afterEach(async () => {
    for (const bus of buses.splice(0)) await bus.close();
  });

  function open(channel: string, url = REDIS_URL) {
    const bus = createRedisBus({ url, channel, logger });
    const received: BusMessage[] = [];
    bus.onMessage((m) => received.push(m as BusMessage));
    buses.push(bus);
    return { bus, received };
  }

  it('[bus.redis.publish] a message published by one node reaches the others', async () => {
    const channel = `parley-test:${randomUUID()}`;
    const a = open(channel);
    const b = open(channel);
    await Promise.all([a.bus.ready, b.bus.ready]);
    a.bus.publish({ v: BUS_VERSION, type: 'node_alive', origin: 'node-a' });
    await waitFor(() => b.received.some((m) => m.type === 'node_alive' && m.origin === 'node-a'));
  });

  it('[bus.redis.resync] a killed subscription, or a restarted Redis, comes back and tells its node to resync', async () => {
    const own = await startOwnRedis();
    try {
      const channel = `parley-test:${randomUUID()}`;
      const a = open(channel, own.url);
      const b = open(channel, own.url);
      await Promise.all([a.bus.ready, b.bus.ready]);
      const resyncsOf = (node: { received: BusMessage[] }) =>
        node.received.filter((m) => m.type === 'resync').length;
      const resyncs = () => resyncsOf(b);
      const before = resyncs();
      const admin = new Redis(own.url);
      try {
        await admin.client('KILL', 'TYPE', 'pubsub');
      } finally {
        admin.disconnect();
      }
      await waitFor(() => resyncs() > before, { timeoutMs: 20_000 });
      await own.stop();
      a.bus.publish({ v: BUS_VERSION, type: 'hello', origin: 'lost-while-down' }); // Redis is down: dropped, never queued
      const beforeRestart = [resyncsOf(a), resyncsOf(b)];
      await own.start();
      // Each node says resync once it can both hear and publish again.
      await waitFor(() => resyncsOf(a) > (beforeRestart[0] ?? 0) && resyncsOf(b) > (beforeRestart[1] ?? 0), {
        timeoutMs: 15_000,
      });
      // A node's publisher may still be reconnecting when another node's resync arrives, and the bus drops what
      // is published meanwhile (by design): publish until it is heard.
      await waitFor(
        () => {
          a.bus.publish({ v: BUS_VERSION, type: 'hello', origin: 'node-a' });
          return b.received.some((m) => m.type === 'hello' && m.origin === 'node-a');
        },
        { timeoutMs: 10_000 },
      );
      expect(b.received.some((m) => m.type === 'hello' && m.origin === 'lost-while-down')).toBe(false);
    } finally {
      await own.stop();
    }
  });
});
