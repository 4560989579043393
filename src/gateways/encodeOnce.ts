import type { EngineEvent } from '../engine/events.js';

const cache = new WeakMap<EngineEvent, Map<string, unknown>>();

/**
 * Fan-out hands the same event object to every recipient; this makes each framing encode it once. The cache
 * lives as long as the event object does.
 */
export function encodeOnce<T>(event: EngineEvent, framing: string, encode: (event: EngineEvent) => T): T {
  let byFraming = cache.get(event);
  if (!byFraming) {
    byFraming = new Map();
    cache.set(event, byFraming);
  }
  if (byFraming.has(framing)) return byFraming.get(framing) as T;
  const encoded = encode(event);
  byFraming.set(framing, encoded);
  return encoded;
}
