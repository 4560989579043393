/** The orchestrator's side of the load generator: spawn it and run tasks in it over IPC. */
import { canPin, cleanEnv, spawnNode, stopProcess, type Spawned } from '../proc.js';
import type { LoadgenMessage, TaskMap, TaskName } from './protocol.js';

export interface Loadgen {
  readonly pid: number;
  run<K extends TaskName>(
    task: K,
    args: TaskMap[K]['args'],
    onMark?: (name: string) => void,
  ): Promise<TaskMap[K]['result']>;
  stop(): Promise<void>;
}

export function startLoadgen(opts: { cpu: string | null; heapMb?: number }): Loadgen {
  const spawned: Spawned = spawnNode(
    [
      `--max-old-space-size=${opts.heapMb ?? 4096}`,
      ...(process.env.BENCH_LOADGEN_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_LOADGEN_CPU_PROF}`]
        : []),
      '--import',
      'tsx',
      'bench/loadgen/main.ts',
    ],
    { cpu: canPin() ? opts.cpu : null, env: cleanEnv() },
  );
  let nextId = 1;
  const waiting = new Map<
    number,
    { resolve(value: unknown): void; reject(err: Error): void; onMark: ((name: string) => void) | undefined }
  >();
  spawned.child.on('message', (raw: unknown) => {
    const message = raw as LoadgenMessage;
    const entry = waiting.get(message.id);
    if (!entry) return;
    if (message.kind === 'mark') entry.onMark?.(message.name);
    else {
      waiting.delete(message.id);
      if (message.kind === 'result') entry.resolve(message.result);
      else entry.reject(new Error(`loadgen: ${message.error}`));
    }
  });
  void spawned.exited.then((code) => {
    for (const entry of waiting.values())
      entry.reject(new Error(`loadgen exited (${String(code)}):\n${spawned.output()}`));
    waiting.clear();
  });
  return {
    pid: spawned.pid,
    run(task, args, onMark) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (value: unknown) => void, reject, onMark });
        spawned.child.send({ id, task, args });
      });
    },
    stop: () => stopProcess(spawned, 5000),
  };
}
