/** Event- and condition-based waiting for tests: no fixed sleeps. */

export interface WaitOptions {
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number;
  /** Poll interval for waitFor (default 10 ms). */
  intervalMs?: number;
  /** Named in the timeout error. */
  label?: string;
}

/**
 * Polls `predicate` until it returns a truthy value (or a promise of one) and resolves with that value.
 * A predicate that throws is retried until the deadline; the timeout error then carries the last failure.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  opts: WaitOptions = {},
): Promise<NonNullable<Exclude<T, false | 0 | ''>>> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const intervalMs = opts.intervalMs ?? 10;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<Exclude<T, false | 0 | ''>>;
      lastError = null;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const what = opts.label ?? 'condition';
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`waitFor timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Anything with Node-style once/off: EventEmitter, ws's WebSocket, a socket.io client socket, a child process. */
export interface OnceEmitter {
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  off?(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener?(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Resolves with the arguments of the next `event` from `emitter`; rejects on timeout, or when one of
 * `rejectOn` (e.g. 'error') fires first.
 */
export function once<A extends unknown[] = unknown[]>(
  emitter: OnceEmitter,
  event: string,
  opts: WaitOptions & { rejectOn?: string[] } = {},
): Promise<A> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  return new Promise<A>((resolve, reject) => {
    const listeners: [string, (...args: unknown[]) => void][] = [];
    const cleanup = () => {
      clearTimeout(timer);
      for (const [name, fn] of listeners) {
        if (emitter.off) emitter.off(name, fn);
        else emitter.removeListener?.(name, fn);
      }
    };
    const onEvent = (...args: unknown[]) => {
      cleanup();
      resolve(args as unknown as A);
    };
    listeners.push([event, onEvent]);
    for (const name of opts.rejectOn ?? []) {
      const onReject = (...args: unknown[]) => {
        cleanup();
        const first: unknown = args[0];
        reject(first instanceof Error ? first : new Error(`'${name}' fired while waiting for '${event}'`));
      };
      listeners.push([name, onReject]);
    }
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for '${opts.label ?? event}'`));
    }, timeoutMs);
    for (const [name, fn] of listeners) emitter.once(name, fn);
  });
}

/** Resolves or rejects with `promise`, or rejects after `timeoutMs`. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, label = 'operation'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} timed out after ${timeoutMs} ms`)), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/**
 * Collects every `event` from `emitter` (their first argument) so a test can wait for the n-th one or one
 * that matches, without missing events that arrive before it starts waiting.
 */
export function collect<T = unknown>(
  emitter: { on(event: string, listener: (...args: unknown[]) => void): unknown },
  event: string,
): { items: T[]; next(match?: (item: T) => boolean, opts?: WaitOptions): Promise<T> } {
  const items: T[] = [];
  let taken = 0;
  emitter.on(event, (...args: unknown[]) => {
    items.push(args[0] as unknown as T);
  });
  return {
    items,
    /** The next collected item not yet returned (that matches, when `match` is given). */
    async next(match, opts) {
      return waitFor(
        () => {
          for (let i = taken; i < items.length; i++) {
            const item = items[i] as T;
            if (!match || match(item)) {
              taken = i + 1;
              return { item };
            }
          }
          return null;
        },
        { label: `'${event}'`, ...opts },
      ).then((found) => found.item);
    },
  };
}
