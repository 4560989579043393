import type { AttachmentRecord } from '../engine/ports/attachmentStore.js';

export interface AttachmentRow {
  id: string;
  app_id: number;
  room_id: number;
  uploader_id: number;
  message_id: number | null;
  position: number;
  name: string;
  size: number;
  type: string;
  width: number | null;
  height: number | null;
  thumb_type: string | null;
  created_at: number;
}

export function toAttachment(row: AttachmentRow): AttachmentRecord {
  return {
    id: row.id,
    appId: row.app_id,
    roomId: row.room_id,
    uploaderId: row.uploader_id,
    messageId: row.message_id,
    name: row.name,
    size: row.size,
    type: row.type,
    width: row.width,
    height: row.height,
    thumbType: row.thumb_type,
    createdAt: row.created_at,
  };
}

/** The insert's values, in ATTACHMENT_SQL.insert's order. */
export function insertValues(r: AttachmentRecord): unknown[] {
  return [
    r.id,
    r.appId,
    r.roomId,
    r.uploaderId,
    r.name,
    r.size,
    r.type,
    r.width,
    r.height,
    r.thumbType,
    r.createdAt,
  ];
}
