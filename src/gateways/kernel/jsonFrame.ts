/**
 * The first step of reading a text frame in every JSON-speaking gateway: the text must be JSON, and the JSON an
 * object. Each gateway words the refusal its own way, so this only says which of the two failed.
 */
export type JsonObjectFrame =
  { ok: true; value: Record<string, unknown> } | { ok: false; failure: 'not_json' | 'not_object' };

export function readJsonObject(raw: string): JsonObjectFrame {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, failure: 'not_json' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, failure: 'not_object' };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** A field the object has of its own (never one inherited from Object.prototype, such as `constructor`). */
export function ownField(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
