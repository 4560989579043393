import type { LinkPreview, MessageId } from '../core/types.js';

/** A stored preview read back (JSON text, or JSONB already parsed): only the known fields, each a string. */
export function previewOf(stored: unknown): LinkPreview | null {
  let value = stored;
  if (typeof stored === 'string') {
    try {
      value = JSON.parse(stored);
    } catch {
      return null;
    }
  }
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  if (typeof record['url'] !== 'string') return null;
  const preview: LinkPreview = { url: record['url'] };
  for (const key of ['title', 'description', 'siteName', 'imageUrl'] as const) {
    const field = record[key];
    if (typeof field === 'string') preview[key] = field;
  }
  return preview;
}

/** Rows of (message id, stored preview) as the map the store port answers. */
export function previewMap(
  rows: readonly { message_id: number; preview: unknown }[],
): Map<MessageId, LinkPreview> {
  const map = new Map<MessageId, LinkPreview>();
  for (const row of rows) {
    const preview = previewOf(row.preview);
    if (preview) map.set(row.message_id, preview);
  }
  return map;
}
