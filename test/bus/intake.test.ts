/**
 * Whatever lands on the Redis bus channel, a node keeps serving: a payload that is not JSON is dropped by the
 * adapter, a JSON message that is not a bus message (or of another version) by the engine, each with a
 * warning in the log. Two real engines in this process, each with its own Redis bus on one channel.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { BUS_VERSION } from '../../src/engine/ports/bus.js';
import { createRedisBus, type RedisBus } from '../../src/bus/redis.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/engine/ports/store.js';
import { createTestEngine, LogRecorder, RecordingSink, type TestEngine } from '../helpers/engine.js';
import { waitFor } from '../helpers/wait.js';
import { requireTestRedis, TEST_REDIS_URL } from '../helpers/redis.js';

const REDIS_URL = TEST_REDIS_URL;

const available = await requireTestRedis();

describe.skipIf(!available)('bus intake over Redis', () => {
  const engines: TestEngine[] = [];
  const buses: RedisBus[] = [];
  let store: Store | null = null;
  let publisher: Redis | null = null;
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.close();
    for (const bus of buses.splice(0)) await bus.close();
    await store?.close();
    publisher?.disconnect();
  });

  it('[bus.intake.garbage] garbage and invalid messages on the channel are logged and dropped; nodes keep serving', async () => {
    const channel = `parley-test:${randomUUID()}`;
    const log = new LogRecorder();
    store = openSqliteStore({ path: ':memory:' });
    for (let i = 0; i < 2; i++) {
      const bus = createRedisBus({ url: REDIS_URL, channel, logger: log.logger });
      buses.push(bus);
      await bus.ready;
      engines.push(await createTestEngine({ store, bus, logger: log.logger }));
    }
    const [a, b] = engines.map((e) => e.engine) as [TestEngine['engine'], TestEngine['engine']];

    publisher = new Redis(REDIS_URL);
    await publisher.publish(channel, 'this is {not JSON');
    await publisher.publish(
      channel,
      JSON.stringify({ v: BUS_VERSION, type: 'presence', origin: 'rogue', online: 'yes' }),
    );
    await publisher.publish(channel, JSON.stringify({ v: 7, type: 'node_alive', origin: 'future' }));

    // Each node drops each one: two adapters for the non-JSON payload, two engines for the others.
    await waitFor(
      () => log.records.filter((r) => r.msg === 'redis bus: dropped a message that is not JSON').length === 2,
    );
    await waitFor(() => log.records.filter((r) => r.msg === 'bus message dropped').length === 4);
    const dropped = log.records.filter((r) => r.msg === 'bus message dropped');
    expect(dropped.every((r) => r.level === 40)).toBe(true);
    expect(dropped.map((r) => (r['received'] as { origin: string }).origin).sort()).toEqual([
      'future',
      'future',
      'rogue',
      'rogue',
    ]);

    // And a message still crosses from one node to the other.
    await a.createUser(1, { username: 'ann' });
    await b.createUser(1, { username: 'ben' });
    const annSink = new RecordingSink();
    const benSink = new RecordingSink();
    const ann = a.openSession(
      await a.authenticate(1, { kind: 'token', token: (await a.issueToken(1, 'ann')).token }),
      annSink,
    );
    const ben = b.openSession(
      await b.authenticate(1, { kind: 'token', token: (await b.issueToken(1, 'ben')).token }),
      benSink,
    );
    await ann.join('lobby');
    await ben.join('lobby');
    await ann.send('lobby', { text: 'across the bus' });
    const received = await benSink.next('message', (e) => e.message.text === 'across the bus');
    expect(received.message.author?.username).toBe('ann');
  });
});
