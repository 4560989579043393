/**
 * Resolves when `attempt` settles, whichever way, and never rejects: what requests that must wait behind a
 * sign-in await (the sign-in's own caller handles its failure).
 */
export function settled(attempt: Promise<unknown>): Promise<void> {
  return attempt.then(
    () => undefined,
    () => undefined,
  );
}
