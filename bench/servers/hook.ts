/**
 * Bench mode only: loaded into every server process the benchmark starts (Parley with `--import`, the
 * baselines by importing it), never part of Parley itself. Over the IPC channel it answers:
 *
 * - `stats`: memory (after a full GC when asked and `--expose-gc` is on) and event-loop delay since the
 *   last reset;
 * - `profile-start` / `profile-stop`: a CPU profile of just the measured phase, written as a .cpuprofile.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import type { HookReply, HookRequest } from '../types.js';

/** The histogram's samples include its own timer interval: it is subtracted from what is reported. */
const RESOLUTION_MS = 10;
const loopDelay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
loopDelay.enable();
const delayMs = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);

let session: Session | null = null;

function post<T>(s: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    s.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result as T)));
  });
}

async function handle(request: HookRequest): Promise<HookReply> {
  switch (request.hook) {
    case 'stats': {
      if (request.gc && typeof globalThis.gc === 'function') {
        globalThis.gc();
        globalThis.gc();
      }
      const memory = process.memoryUsage();
      const sampled = loopDelay.count > 0;
      const reply: HookReply = {
        hook: 'reply',
        id: request.id,
        stats: {
          rss: memory.rss,
          heapUsed: memory.heapUsed,
          heapTotal: memory.heapTotal,
          external: memory.external,
          arrayBuffers: memory.arrayBuffers,
          gcExposed: typeof globalThis.gc === 'function',
          eldP50Ms: sampled ? delayMs(loopDelay.percentile(50)) : 0,
          eldP99Ms: sampled ? delayMs(loopDelay.percentile(99)) : 0,
          eldMaxMs: sampled ? delayMs(loopDelay.max) : 0,
        },
      };
      if (request.resetEld) loopDelay.reset();
      return reply;
    }
    case 'profile-start': {
      session ??= new Session();
      session.connect();
      await post(session, 'Profiler.enable');
      await post(session, 'Profiler.setSamplingInterval', { interval: request.intervalUs ?? 200 });
      await post(session, 'Profiler.start');
      return { hook: 'reply', id: request.id };
    }
    case 'heap-snapshot': {
      if (typeof globalThis.gc === 'function') globalThis.gc();
      writeHeapSnapshot(request.file);
      return { hook: 'reply', id: request.id };
    }
    case 'profile-stop': {
      if (!session) return { hook: 'reply', id: request.id, error: 'no profile running' };
      const { profile } = await post<{ profile: object }>(session, 'Profiler.stop');
      await writeFile(request.file, JSON.stringify(profile));
      session.disconnect();
      session = null;
      return { hook: 'reply', id: request.id };
    }
  }
}

if (typeof process.send === 'function') {
  process.on('message', (message: unknown) => {
    if (typeof message !== 'object' || message === null || !('hook' in message)) return;
    const request = message as HookRequest;
    handle(request).then(
      (reply) => process.send?.(reply),
      (err: unknown) =>
        process.send?.({
          hook: 'reply',
          id: request.id,
          error: err instanceof Error ? err.message : String(err),
        }),
    );
  });
  process.channel?.unref();
  // The orchestrator is gone (killed, crashed): do not linger as an orphan.
  process.on('disconnect', () => process.exit(0));
}
