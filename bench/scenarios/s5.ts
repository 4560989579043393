/**
 * S5 reconnect storm: the S1 population (in rooms of 10) cut all at once while the first member of each room
 * keeps sending. Time until 95 % have resumed; gaps and duplicates (Parley: must be 0). Parley runs with its
 * typed client; the baselines with plain reconnecting clients.
 */
import { measured } from '../sample.js';
import { isParley } from '../types.js';
import type { ScenarioContext } from './context.js';
import { profiled, waitQuiet } from './context.js';
import type { S5Result } from './results.js';
import type { PopulateResult } from '../loadgen/protocol.js';

export const S5_ROOM_PREFIX = 's5r';

export function s5Rooms(ctx: Pick<ScenarioContext, 'config'>): number {
  return Math.ceil(ctx.config.s5.clients / ctx.config.s5.roomSize);
}

/** With `shared`, the storm hits S1's population (already connected) instead of one of its own. */
export async function runS5(
  ctx: ScenarioContext,
  shared: { pop: string; populate: PopulateResult; typed: boolean } | null = null,
): Promise<S5Result> {
  const cfg = ctx.config.s5;
  const { target, loadgen } = ctx;
  const typed = shared ? shared.typed : isParley(target.name);
  const pop = shared?.pop ?? 's5';
  await waitQuiet(target.pids);
  const populate =
    shared?.populate ??
    (await loadgen.run('populate', {
      pop: 's5',
      protocol: ctx.protocol === 'sio-official' ? 'sio' : ctx.protocol,
      urls: target.urls,
      count: cfg.clients,
      roomPrefix: S5_ROOM_PREFIX,
      roomSize: cfg.roomSize,
      namePrefix: 's5u',
      concurrency: cfg.concurrency,
      typed,
      timeoutMs: 600_000,
    }));
  if (!shared)
    ctx.log(
      `S5 ${populate.connected} ${typed ? 'typed' : 'raw'} clients connected at ${populate.ratePerSec}/s`,
    );
  await waitQuiet(target.pids, 120_000);
  // With --profile, the storm runs under a CPU profile of Parley's server: what resuming costs it.
  const { result: storm } = await profiled(ctx, 'S5-storm', () =>
    measured({ server: target.pids, loadgen: loadgen.pid }, (onMark) =>
      loadgen.run(
        'storm',
        {
          pop,
          rate: cfg.rate,
          preMs: cfg.preMs,
          maxWaitMs: cfg.maxWaitMs,
          postMs: cfg.postMs,
          settleMs: cfg.settleMs,
        },
        onMark,
      ),
    ),
  );
  const { result, cpu } = storm;
  ctx.log(
    `S5 resumed ${result.resumed}/${result.clients}: 95 % in ${result.t95Ms ?? '-'} ms; gaps ${result.gaps}, ` +
      `duplicates ${result.duplicates}; cpu server ${cpu.server}% loadgen ${cpu.loadgen}%`,
  );
  await loadgen.run('close', { pop });
  return { ...result, populate, client: typed ? 'typed' : 'raw', cpu };
}
