/**
 * The load generator process: started by run.ts (pinned to its own core when possible), it holds every
 * benchmark client and runs the tasks the orchestrator sends over IPC (protocol.ts), one at a time.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { runChat } from './chat.js';
import { LOOP_RESOLUTION_MS, loopDelayMs } from './hist.js';
import { runFanout } from './fanout.js';
import { closePopulation, populate, type Population, type RawPopulation } from './population.js';
import type { LoadgenMessage, LoadgenRequest, LoadgenStats } from './protocol.js';
import { runStorm } from './storm.js';

const populations = new Map<string, Population>();
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
loopDelay.enable();

function send(message: LoadgenMessage): void {
  process.send?.(message);
}

function get(pop: string): Population {
  const found = populations.get(pop);
  if (!found) throw new Error(`no population ${pop}`);
  return found;
}

function raw(pop: string): RawPopulation {
  const found = get(pop);
  if (found.kind !== 'raw') throw new Error(`population ${pop} is not made of raw clients`);
  return found;
}

async function run(request: LoadgenRequest): Promise<unknown> {
  const mark = (name: string) => send({ kind: 'mark', id: request.id, name });
  switch (request.task) {
    case 'populate': {
      const old = populations.get(request.args.pop);
      if (old) await closePopulation(old);
      const { population, result } = await populate(request.args);
      populations.set(request.args.pop, population);
      return result;
    }
    case 'close': {
      const pop = populations.get(request.args.pop);
      if (!pop) return { closed: 0 };
      populations.delete(request.args.pop);
      return { closed: await closePopulation(pop) };
    }
    case 'count': {
      const pop = populations.get(request.args.pop);
      if (!pop) return { open: 0 };
      const open =
        pop.kind === 'raw'
          ? pop.clients.filter((c) => c.connected).length
          : pop.members.filter((m) => m.client.state === 'open').length;
      return { open };
    }
    case 'fanout':
      return runFanout(raw(request.args.pop), request.args, mark);
    case 'chat':
      return runChat(raw(request.args.pop), request.args, mark);
    case 'storm':
      return runStorm(get(request.args.pop), request.args, mark);
    case 'stats': {
      const memory = process.memoryUsage();
      const stats: LoadgenStats = {
        rss: memory.rss,
        heapUsed: memory.heapUsed,
        eldP99Ms: loopDelayMs(loopDelay.percentile(99)),
      };
      loopDelay.reset();
      return stats;
    }
  }
}

let queue = Promise.resolve();
process.on('message', (message: unknown) => {
  const request = message as LoadgenRequest;
  queue = queue.then(() =>
    run(request).then(
      (result) => send({ kind: 'result', id: request.id, result }),
      (err: unknown) =>
        send({
          kind: 'error',
          id: request.id,
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        }),
    ),
  );
});
process.on('disconnect', () => process.exit(0));
// Clients may hit errors after their task is over (a late close, a refused reconnect): never fatal here.
process.on('unhandledRejection', (err) => {
  process.stderr.write(`loadgen: unhandled rejection: ${err instanceof Error ? err.message : String(err)}\n`);
});
// A clean exit on SIGTERM, so that `--cpu-prof` (BENCH_LOADGEN_CPU_PROF) gets written.
process.on('SIGTERM', () => process.exit(0));
