import type { LinkPreview, MessageId, RoomId } from '../../core/types.js';
import type { LinkPreviewStore } from '../../engine/ports/linkPreviewStore.js';
import { previewMap } from '../previewRows.js';
import { sql, type Db } from './db.js';

const q = {
  put: sql(
    'link-preview.put',
    `INSERT INTO link_previews (message_id, preview)
     SELECT id, $3::jsonb FROM messages WHERE id = $2 AND room_id = $1 AND deleted_at IS NULL
     ON CONFLICT (message_id) DO UPDATE SET preview = excluded.preview
     RETURNING message_id`,
  ),
  get: sql(
    'link-preview.get',
    'SELECT message_id, preview FROM link_previews WHERE message_id = ANY($1::bigint[])',
  ),
  remove: sql('link-preview.remove', 'DELETE FROM link_previews WHERE message_id = $1 RETURNING message_id'),
};

export class PostgresLinkPreviewStore implements LinkPreviewStore {
  constructor(private readonly db: Db) {}

  async put(roomId: RoomId, messageId: MessageId, preview: LinkPreview): Promise<boolean> {
    const rows = await this.db.query(q.put, [roomId, messageId, JSON.stringify(preview)]);
    return rows.length > 0;
  }

  async get(messageIds: readonly MessageId[]): Promise<Map<MessageId, LinkPreview>> {
    if (messageIds.length === 0) return new Map();
    return previewMap(
      await this.db.query<{ message_id: number; preview: unknown }>(q.get, [[...messageIds]]),
    );
  }

  async remove(messageId: MessageId): Promise<boolean> {
    return (await this.db.query(q.remove, [messageId])).length > 0;
  }
}
