/**
 * S3P: S3's chat shape against one Parley node on PostgreSQL (no Redis: one node), at rising rates until two
 * steps in a row fall short, to find the highest rate of messages persisted per second (the issue's goal on
 * PostgreSQL: 10,000 msg/s). Every message is committed before its acknowledgement, as on SQLite.
 */
import { benchDatabaseUrl, dropSchema, postgresReachable } from '../servers/cluster.js';
import { startTarget } from '../servers/index.js';
import { isParley, type TargetName } from '../types.js';
import { roomNames, waitQuiet, type ScenarioContext } from './context.js';
import type { S3PResult, S3Step } from './results.js';
import { chatStep, populateS3, s3Rooms, S3_ROOM_PREFIX } from './s3.js';
import { s3pMissed } from './s3pReport.js';

const POP = 's3p';

export async function runS3P(
  ctx: Omit<ScenarioContext, 'target'>,
  name: TargetName,
  cpu: string | null,
): Promise<S3PResult> {
  const cfg = ctx.config;
  const base: S3PResult = { users: 0, steps: [], highestCommittedPerSec: null, skipped: null };
  if (!isParley(name)) return { ...base, skipped: 'Parley only (its PostgreSQL store)' };
  const databaseUrl = benchDatabaseUrl();
  if (!(await postgresReachable(databaseUrl))) return { ...base, skipped: 'PostgreSQL is not reachable' };
  const schema = `parley_bench_s3p_${process.pid}_${Date.now().toString(36)}`;
  try {
    const cluster = { redisUrl: null, databaseUrl, databaseSchema: schema };
    const target = await startTarget(name, { cpu, cluster });
    try {
      const sctx: ScenarioContext = { ...ctx, target };
      await target.ensureRooms(roomNames(S3_ROOM_PREFIX, s3Rooms(sctx)));
      const populate = await populateS3(sctx, POP);
      const steps: S3Step[] = [];
      let missedInRow = 0;
      for (const rate of cfg.s3p.rates) {
        const step = await chatStep(sctx, POP, rate);
        steps.push(step);
        ctx.log(
          `S3P ${rate} msg/s on PostgreSQL: committed ${step.committedPerSec}/s, ack p99 ${step.ack.p99} ms, ` +
            `cpu server ${step.cpu.server}% loadgen ${step.cpu.loadgen}%`,
        );
        missedInRow = s3pMissed(step) ? missedInRow + 1 : 0;
        if (missedInRow >= 2) break;
        await waitQuiet(target.pids, 60_000);
      }
      await ctx.loadgen.run('close', { pop: POP });
      return {
        ...base,
        users: populate.connected,
        steps,
        highestCommittedPerSec:
          steps.length > 0 ? Math.max(...steps.map((s) => Math.round(s.committedPerSec))) : null,
      };
    } finally {
      await target.stop();
    }
  } finally {
    await dropSchema(databaseUrl, schema).catch(() => {});
  }
}
