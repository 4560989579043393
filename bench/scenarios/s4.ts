/**
 * S4 two nodes: the latency a second node adds. The same room and rate run on one node (in the target's main
 * pass) and on two nodes over Redis (Parley: on PostgreSQL when reachable, else each node on its own SQLite
 * file, which is only good for this test), with the members split between the nodes and the publisher on
 * the first. Both server processes share the server core; Redis and PostgreSQL are not pinned.
 */
import { measured } from '../sample.js';
import { BENCH_ADMIN_KEY, startTarget, type ClusterOptions, type Target } from '../servers/index.js';
import { benchDatabaseUrl, dropSchema, postgresReachable, startRedis } from '../servers/cluster.js';
import { isParley, type TargetName } from '../types.js';
import type { ScenarioContext, SharedPopulation } from './context.js';
import { waitQuiet } from './context.js';
import type { S4Result, S4Run } from './results.js';

export const S4_ROOM = 's4-0';

async function populateS4(ctx: ScenarioContext): Promise<void> {
  const cfg = ctx.config.s4;
  const { target, loadgen } = ctx;
  const populate = await loadgen.run('populate', {
    pop: 's4',
    protocol: ctx.protocol,
    urls: target.urls,
    count: cfg.members,
    roomPrefix: 's4-',
    roomSize: cfg.members,
    namePrefix: 's4u',
    concurrency: 100,
  });
  if (populate.failed > 0) {
    throw new Error(`S4: ${populate.failed} members failed to join: ${JSON.stringify(populate.errors)}`);
  }
  await waitQuiet(target.pids, 120_000);
}

async function step(
  ctx: ScenarioContext,
  groups: number,
  shared: SharedPopulation | null = null,
): Promise<S4Run> {
  const cfg = ctx.config.s4;
  const { target, loadgen } = ctx;
  const pop = shared?.pop ?? 's4';
  await waitQuiet(target.pids);
  if (!shared) await populateS4(ctx);
  const { result, cpu } = await measured({ server: target.pids, loadgen: loadgen.pid }, (onMark) =>
    loadgen.run(
      'fanout',
      {
        pop,
        publisher: 0,
        rate: cfg.rate,
        warmupMs: cfg.warmupMs,
        measureMs: cfg.measureMs,
        drainMs: cfg.drainMs,
        padChars: 0,
        groups,
      },
      onMark,
    ),
  );
  if (!shared) await loadgen.run('close', { pop });
  return { ...result, cpu };
}

/** The one-node reference, run in the target's main pass (on S2's population when it has S4's size). */
export function runS4OneNode(ctx: ScenarioContext, shared: SharedPopulation | null = null): Promise<S4Run> {
  return step(ctx, 1, shared && shared.members === ctx.config.s4.members ? shared : null);
}

/** Two nodes (and, in full mode, one Parley node on PostgreSQL) with their own Redis and schema. */
export async function runS4Cluster(
  ctx: Omit<ScenarioContext, 'target'>,
  name: TargetName,
  cpu: string | null,
  oneNode: S4Run | null,
): Promise<S4Result> {
  const cfg = ctx.config.s4;
  const base: S4Result = {
    members: cfg.members,
    rate: cfg.rate,
    oneNode,
    onePostgres: null,
    twoNodes: null,
    store: isParley(name) ? 'sqlite' : 'none',
    addedP50Ms: null,
    addedP99Ms: null,
    skipped: null,
  };
  const redis = await startRedis();
  if (!redis) return { ...base, skipped: 'redis-server is not available (set PARLEY_BENCH_REDIS_URL)' };
  const databaseUrl = benchDatabaseUrl();
  const postgres = isParley(name) && (await postgresReachable(databaseUrl));
  const schema = `parley_bench_${process.pid}_${Date.now().toString(36)}`;
  const withTarget = async <T>(
    options: ClusterOptions,
    nodes: number,
    fn: (target: Target) => Promise<T>,
  ) => {
    const target = await startTarget(name, { cpu, nodes, cluster: options });
    try {
      if (isParley(name) && !options.databaseUrl) {
        // Separate SQLite files: the room must exist on every node, created in the same order (same id).
        for (const node of target.nodes) await roomOn(node.url, S4_ROOM);
      } else await target.ensureRooms([S4_ROOM]);
      return await fn(target);
    } finally {
      await target.stop();
    }
  };
  try {
    const cluster: ClusterOptions = {
      redisUrl: redis.url,
      databaseUrl: postgres ? databaseUrl : null,
      databaseSchema: postgres ? schema : null,
    };
    const twoNodes = await withTarget(cluster, 2, (target) => step({ ...ctx, target }, 2));
    let onePostgres: S4Run | null = null;
    if (postgres && cfg.postgres) {
      await dropSchema(databaseUrl, schema);
      onePostgres = await withTarget({ redisUrl: null, databaseUrl, databaseSchema: schema }, 1, (target) =>
        step({ ...ctx, target }, 1),
      );
    }
    const remote = twoNodes.byGroup[1];
    return {
      ...base,
      twoNodes,
      onePostgres,
      store: isParley(name) ? (postgres ? 'postgres' : 'sqlite per node') : 'none',
      addedP50Ms: oneNode && remote ? round(remote.p50 - oneNode.latency.p50) : null,
      addedP99Ms: oneNode && remote ? round(remote.p99 - oneNode.latency.p99) : null,
    };
  } finally {
    await redis.stop();
    if (postgres) await dropSchema(databaseUrl, schema).catch(() => {});
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

async function roomOn(url: string, room: string): Promise<void> {
  const res = await fetch(`${url}/api/v1/apps/1/rooms`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: room }),
  });
  if (!res.ok && res.status !== 409) throw new Error(`create room ${room}: ${res.status}`);
}
