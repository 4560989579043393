/**
 * S4-scale: three Parley nodes over Redis on one PostgreSQL, many rooms spread over them so that each room's
 * members are on one node (every `pairEvery`-th room: on two), S3's chat shape at a fixed total rate. What it
 * shows is what the bus costs a node: the messages each node received from Redis as a share of all the
 * cluster published (the routing goal: at most 40 %, about a third plus presence and control), and the
 * send→delivery latency of the deliveries that crossed nodes.
 */
import { benchDatabaseUrl, dropSchema, postgresReachable, startRedis } from '../servers/cluster.js';
import { startTarget } from '../servers/index.js';
import { isParley, type TargetName } from '../types.js';
import { roomNames, waitQuiet, type ScenarioContext } from './context.js';
import type { S4SNode, S4SResult } from './results.js';
import { chatStep } from './s3.js';

export const S4S_ROOM_PREFIX = 's4s-';
const POP = 's4s';
export const S4S_NODES = 3;

/** The bus counters of one node, read from its /metrics. */
async function busCounters(url: string): Promise<{ received: number; published: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.slice(name.length + 1)) : 0;
  };
  return {
    received: read('parley_bus_messages_received_total'),
    published: read('parley_bus_messages_published_total'),
  };
}

const pct = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0);

export async function runS4S(
  ctx: Omit<ScenarioContext, 'target'>,
  name: TargetName,
  cpu: string | null,
): Promise<S4SResult> {
  const cfg = ctx.config.s4s;
  const base: S4SResult = {
    ...{ nodes: S4S_NODES, rooms: cfg.rooms, roomSize: cfg.roomSize, pairEvery: cfg.pairEvery },
    ...{ rate: cfg.rate, users: 0, step: null, perNode: [], clusterPublished: 0 },
    ...{ maxSharePct: null, otherNode: null, skipped: null },
  };
  if (!isParley(name)) return { ...base, skipped: 'Parley only (bus routing)' };
  const databaseUrl = benchDatabaseUrl();
  if (!(await postgresReachable(databaseUrl))) return { ...base, skipped: 'PostgreSQL is not reachable' };
  const redis = await startRedis();
  if (!redis) return { ...base, skipped: 'redis-server is not available (set PARLEY_BENCH_REDIS_URL)' };
  const schema = `parley_bench_s4s_${process.pid}_${Date.now().toString(36)}`;
  try {
    const cluster = { redisUrl: redis.url, databaseUrl, databaseSchema: schema };
    const target = await startTarget(name, { cpu, nodes: S4S_NODES, cluster });
    try {
      const sctx: ScenarioContext = { ...ctx, target };
      await target.ensureRooms(roomNames(S4S_ROOM_PREFIX, cfg.rooms));
      const populate = await ctx.loadgen.run('populate', {
        pop: POP,
        protocol: ctx.protocol,
        urls: target.urls,
        count: cfg.rooms * cfg.roomSize,
        roomPrefix: S4S_ROOM_PREFIX,
        roomSize: cfg.roomSize,
        namePrefix: `${POP}u`,
        concurrency: 100,
        byRoom: { pairEvery: cfg.pairEvery },
      });
      await waitQuiet(target.pids, 120_000);
      const before = await Promise.all(target.urls.map(busCounters));
      const step = await chatStep(sctx, POP, cfg.rate, undefined, cfg);
      const after = await Promise.all(target.urls.map(busCounters));
      await ctx.loadgen.run('close', { pop: POP });
      const deltas = after.map((a, i) => ({
        received: a.received - (before[i]?.received ?? 0),
        published: a.published - (before[i]?.published ?? 0),
      }));
      const clusterPublished = deltas.reduce((sum, d) => sum + d.published, 0);
      const perNode: S4SNode[] = deltas.map((d) => ({ ...d, sharePct: pct(d.received, clusterPublished) }));
      return {
        ...base,
        users: populate.connected,
        step,
        perNode,
        clusterPublished,
        maxSharePct: perNode.length > 0 ? Math.max(...perNode.map((n) => n.sharePct)) : null,
        otherNode: step.deliverOtherNode ?? null,
      };
    } finally {
      await target.stop();
    }
  } finally {
    await redis.stop();
    await dropSchema(databaseUrl, schema).catch(() => {});
  }
}
