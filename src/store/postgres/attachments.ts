import type { AppId, RoomId, UserId } from '../../core/types.js';
import {
  ATTACHMENT_SQL,
  type AttachmentRecord,
  type AttachmentStore,
} from '../../engine/ports/attachmentStore.js';
import { insertValues, toAttachment, type AttachmentRow } from '../attachmentRows.js';
import { sql, type Db } from './db.js';

const q = {
  insert: sql('attachments.insert', ATTACHMENT_SQL.insert),
  attachOne: sql('attachments.attach-one', `${ATTACHMENT_SQL.attachOne} RETURNING id`),
  ofRoom: sql('attachments.of-room', ATTACHMENT_SQL.ofRoom),
  unsentCount: sql(
    'attachments.unsent-count',
    ATTACHMENT_SQL.unsentCount.replace('count(*)', 'count(*)::int'),
  ),
  unsentBefore: sql('attachments.unsent-before', ATTACHMENT_SQL.unsentBefore),
  ofUploader: sql('attachments.of-uploader', ATTACHMENT_SQL.ofUploader),
  get: sql('attachments.get', 'SELECT * FROM attachments WHERE id = ANY($1::text[])'),
  ofMessages: sql(
    'attachments.of-messages',
    'SELECT * FROM attachments WHERE message_id = ANY($1::bigint[]) ORDER BY message_id, position',
  ),
  remove: sql('attachments.remove', 'DELETE FROM attachments WHERE id = ANY($1::text[])'),
};

export class PostgresAttachmentStore implements AttachmentStore {
  constructor(private readonly db: Db) {}

  async insert(record: AttachmentRecord): Promise<void> {
    await this.db.query(q.insert, insertValues(record));
  }

  async get(ids: readonly string[]): Promise<AttachmentRecord[]> {
    return (await this.db.query<AttachmentRow>(q.get, [ids])).map(toAttachment);
  }

  attach(messageId: number, uploaderId: UserId, roomId: RoomId, ids: readonly string[]): Promise<number> {
    return this.db.transaction(async (tx) => {
      let linked = 0;
      for (const [position, id] of ids.entries()) {
        const rows = await tx.query(q.attachOne, [messageId, position, id, uploaderId, roomId]);
        linked += rows.length;
      }
      return linked;
    });
  }

  async ofMessages(messageIds: readonly number[]): Promise<AttachmentRecord[]> {
    return (await this.db.query<AttachmentRow>(q.ofMessages, [messageIds])).map(toAttachment);
  }

  async ofRoom(roomId: RoomId): Promise<AttachmentRecord[]> {
    return (await this.db.query<AttachmentRow>(q.ofRoom, [roomId])).map(toAttachment);
  }

  async unsentCount(appId: AppId, uploaderId: UserId): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(q.unsentCount, [appId, uploaderId]);
    return row?.n ?? 0;
  }

  async unsentBefore(before: number, limit: number): Promise<AttachmentRecord[]> {
    return (await this.db.query<AttachmentRow>(q.unsentBefore, [before, limit])).map(toAttachment);
  }

  async ofUploader(appId: AppId, uploaderId: UserId, limit: number): Promise<AttachmentRecord[]> {
    return (await this.db.query<AttachmentRow>(q.ofUploader, [appId, uploaderId, limit])).map(toAttachment);
  }

  async remove(ids: readonly string[]): Promise<void> {
    await this.db.query(q.remove, [ids]);
  }
}
