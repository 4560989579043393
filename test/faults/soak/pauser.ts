/**
 * A fault for the soak: one node is stopped (SIGSTOP) for `pauseMs` every `everyMs` and continued (SIGCONT), as
 * a host under memory pressure or a stop-the-world pause would stop it. Its clients' connections stay up; its
 * bus and storage connections fall behind and catch up.
 */
export interface Pauser {
  /** How many times the node was paused. */
  readonly count: number;
  /** Stops pausing and continues the node if it is paused now. */
  stop(): void;
}

export function startPausing(
  pid: number,
  opts: { everyMs: number; pauseMs: number; log: (line: string) => void },
): Pauser {
  let count = 0;
  let paused: NodeJS.Timeout | null = null;
  const resume = () => {
    paused = null;
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // The process is gone: the run's crash check reports it.
    }
  };
  const every = setInterval(() => {
    if (paused) return;
    try {
      process.kill(pid, 'SIGSTOP');
    } catch {
      return;
    }
    count += 1;
    paused = setTimeout(resume, opts.pauseMs);
  }, opts.everyMs);
  opts.log(`pausing process ${pid} for ${opts.pauseMs} ms every ${opts.everyMs} ms`);
  return {
    get count() {
      return count;
    },
    stop() {
      clearInterval(every);
      if (paused) {
        clearTimeout(paused);
        resume();
      }
    },
  };
}
