import type { EngineEvent } from '../engine/events.js';

const cache = new WeakMap<EngineEvent, Map<string, unknown>>();
// A fan-out hands one event to every recipient in a row: remembering the last one skips the WeakMap lookup.
let lastEvent: EngineEvent | null = null;
let lastEncodings: Map<string, unknown> | null = null;
// And the last framing asked for it with its encoding: every recipient after the first costs two comparisons.
let lastFraming: string | null = null;
let lastEncoded: unknown = null;

/**
 * Fan-out hands the same event object to every recipient; this makes each framing encode it once. The cache
 * lives as long as the event object does.
 */
export function encodeOnce<T>(event: EngineEvent, framing: string, encode: (event: EngineEvent) => T): T {
  if (event === lastEvent && framing === lastFraming) return lastEncoded as T;
  let byFraming = event === lastEvent ? lastEncodings : cache.get(event);
  if (!byFraming) {
    byFraming = new Map();
    cache.set(event, byFraming);
  }
  lastEvent = event;
  lastEncodings = byFraming;
  lastFraming = null;
  const encoded = byFraming.has(framing) ? (byFraming.get(framing) as T) : encode(event);
  byFraming.set(framing, encoded);
  lastFraming = framing;
  lastEncoded = encoded;
  return encoded;
}
