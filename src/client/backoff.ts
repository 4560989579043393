export interface BackoffOptions {
  /** First delay (ms). */
  initialMs: number;
  /** Largest delay (ms). */
  maxMs: number;
}

/**
 * Exponential backoff with jitter: attempt n waits a random time between half and all of
 * min(maxMs, initialMs * 2^n), so that many clients dropped at once do not come back at once.
 */
export function backoffDelay(
  attempt: number,
  opts: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * The wait after a refusal that carried a hint (`retryAfterMs`): the hint plus up to half of it again, at
 * random, so that the clients a server turned away at once do not all come back at the same moment.
 */
export function hintedDelay(hintMs: number, random: () => number = Math.random): number {
  return Math.round(hintMs + random() * (hintMs / 2));
}
