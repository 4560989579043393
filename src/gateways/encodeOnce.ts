import type { EngineEvent } from '../engine/events.js';

const cache = new WeakMap<EngineEvent, Map<string, unknown>>();
// A fan-out hands one event to every recipient in a row: remembering the last one skips the WeakMap lookup.
let lastEvent: EngineEvent | null = null;
let lastEncodings: Map<string, unknown> | null = null;

/**
 * Fan-out hands the same event object to every recipient; this makes each framing encode it once. The cache
 * lives as long as the event object does.
 */
export function encodeOnce<T>(event: EngineEvent, framing: string, encode: (event: EngineEvent) => T): T {
  let byFraming = event === lastEvent ? lastEncodings : cache.get(event);
  if (!byFraming) {
    byFraming = new Map();
    cache.set(event, byFraming);
  }
  lastEvent = event;
  lastEncodings = byFraming;
  if (byFraming.has(framing)) return byFraming.get(framing) as T;
  const encoded = encode(event);
  byFraming.set(framing, encoded);
  return encoded;
}
