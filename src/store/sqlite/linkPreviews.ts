import type Database from 'better-sqlite3';
import type { LinkPreview, MessageId, RoomId } from '../../core/types.js';
import type { LinkPreviewStore } from '../../engine/ports/linkPreviewStore.js';
import { previewMap } from '../previewRows.js';
import { guard } from './errors.js';

type Row = { message_id: number; preview: string };

export class SqliteLinkPreviewStore implements LinkPreviewStore {
  private readonly q;

  constructor(private readonly db: Database.Database) {
    this.q = {
      // One statement: the message's check and the write cannot be told apart by another writer.
      put: db.prepare<{ roomId: number; messageId: number; preview: string }>(
        `INSERT INTO link_previews (message_id, preview)
         SELECT id, @preview FROM messages WHERE id = @messageId AND room_id = @roomId AND deleted_at IS NULL
         ON CONFLICT (message_id) DO UPDATE SET preview = excluded.preview`,
      ),
      // Ids travel as a JSON array (json_each), as the reactions' summary does.
      get: db.prepare<{ ids: string }, Row>(
        'SELECT message_id, preview FROM link_previews WHERE message_id IN (SELECT value FROM json_each(@ids))',
      ),
      remove: db.prepare<[number]>('DELETE FROM link_previews WHERE message_id = ?'),
    };
  }

  async put(roomId: RoomId, messageId: MessageId, preview: LinkPreview): Promise<boolean> {
    return guard(
      this.db,
      () => this.q.put.run({ roomId, messageId, preview: JSON.stringify(preview) }).changes > 0,
    );
  }

  async get(messageIds: readonly MessageId[]): Promise<Map<MessageId, LinkPreview>> {
    if (messageIds.length === 0) return new Map();
    const rows = guard(this.db, () => this.q.get.all({ ids: JSON.stringify(messageIds) }));
    return previewMap(rows);
  }

  async remove(messageId: MessageId): Promise<boolean> {
    return guard(this.db, () => this.q.remove.run(messageId).changes > 0);
  }
}
