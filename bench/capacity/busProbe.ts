/**
 * The CPU a Parley process spends on one bus message for a room it has no member in: what every process pays for
 * every message of every other process when the bus goes to all of them, and the capacity model's
 * `usPerBusMessage` (S4 gives only a loose upper bound of it). It starts Redis and one compiled Parley node
 * (pinned to CPU 0 like the benchmark's servers), publishes chat messages of a realistic size straight onto the
 * bus channel at a fixed rate, and compares the node's CPU time over that window with an idle window as long;
 * `--repeats` pairs of windows, and the median of their figures (CPU time, not wall time: other work on the
 * machine slows the windows but is not counted in them).
 *
 *   node --import tsx bench/capacity/busProbe.ts [--rate 2000] [--seconds 10] [--repeats 3]
 *   npm run capacity -- --unit usPerBusMessage=<the figure it prints>
 */
import { Redis } from 'ioredis';
import { canPin } from '../proc.js';
import { cpuSeconds } from '../sample.js';
import { startRedis } from '../servers/cluster.js';
import { startTarget, useCompiledParley } from '../servers/index.js';
import { median } from './units.js';

const CHANNEL = 'parley:bus';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: a number > 0`);
  return value;
}

/** A chat message as another node publishes it: 100 characters of text, its HTML, an author. */
export function busMessage(seq: number, roomId: number): string {
  const author = { id: 7, username: 'probe-user', role: 'user', displayName: 'Probe User' };
  const text = `${'x'.repeat(90)} ${String(seq).padStart(8, '0')}`;
  return JSON.stringify({
    v: 1,
    origin: 'bus-probe',
    type: 'room_event',
    appId: 1,
    roomId,
    seq,
    event: {
      type: 'message',
      room: { id: roomId, name: `probe-${roomId}` },
      message: {
        id: 1_000_000 + seq,
        room: `probe-${roomId}`,
        roomId,
        seq,
        kind: 'text',
        author,
        text,
        html: `<p>${text}</p>`,
        clientMsgId: `c${seq}`,
        createdAt: Date.now(),
        editedAt: null,
        deletedAt: null,
        replyTo: null,
        replyCount: 0,
        reactions: [],
        mentions: [],
      },
    },
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Publishes `rate` messages a second for `seconds`, in 10 ms ticks; returns how many went out. */
async function publish(redis: Redis, rate: number, seconds: number): Promise<number> {
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < seconds * 1000) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    const pipeline = redis.pipeline();
    for (; sent < due; sent += 1) pipeline.publish(CHANNEL, busMessage(sent + 1, 1 + (sent % 1000)));
    await pipeline.exec();
    await sleep(10);
  }
  return sent;
}

async function main(): Promise<void> {
  const rate = option('--rate', 2000);
  const seconds = option('--seconds', 10);
  const repeats = option('--repeats', 3);
  useCompiledParley();
  const redis = await startRedis();
  if (!redis) throw new Error('redis-server is not available (set PARLEY_BENCH_REDIS_URL)');
  const target = await startTarget('parley-ws', {
    cpu: canPin() ? '0' : null,
    nodes: 1,
    cluster: { redisUrl: redis.url, databaseUrl: null, databaseSchema: null },
  });
  const publisher = new Redis(redis.url);
  try {
    const pid = target.pids[0] as number;
    await sleep(3000);
    const figures: number[] = [];
    for (let i = 0; i < repeats; i += 1) {
      const idleStart = cpuSeconds(pid);
      await sleep(seconds * 1000);
      const idle = cpuSeconds(pid) - idleStart;
      const busyStart = cpuSeconds(pid);
      const sent = await publish(publisher, rate, seconds);
      await sleep(500);
      const busy = cpuSeconds(pid) - busyStart;
      const us = ((busy - idle) * 1e6) / sent;
      figures.push(us);
      process.stdout.write(
        `${sent} bus messages in ${seconds} s to a node with no member in their rooms: ` +
          `node CPU ${(busy * 1000).toFixed(0)} ms against ${(idle * 1000).toFixed(0)} ms idle, ` +
          `${us.toFixed(1)} µs per bus message\n`,
      );
    }
    process.stdout.write(`median: ${(median(figures) ?? 0).toFixed(1)} µs per bus message\n`);
  } finally {
    publisher.disconnect();
    await target.stop();
    await redis.stop();
  }
}

await main();
