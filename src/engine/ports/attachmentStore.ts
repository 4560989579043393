import type { AppId, RoomId, UserId } from '../../core/types.js';

/** One uploaded file as the store keeps it; its bytes are in the file store (ports/fileStore.ts). */
export interface AttachmentRecord {
  id: string;
  appId: AppId;
  roomId: RoomId;
  uploaderId: UserId;
  /** null: uploaded, not yet sent in a message (removed after an hour). */
  messageId: number | null;
  name: string;
  size: number;
  type: string;
  width: number | null;
  height: number | null;
  /** The thumbnail's media type; null: no thumbnail (not an image). */
  thumbType: string | null;
  createdAt: number;
}

/** The store's attachments, a field of the Store (`store.attachments`). */
export interface AttachmentStore {
  insert(record: AttachmentRecord): Promise<void>;
  get(ids: readonly string[]): Promise<AttachmentRecord[]>;
  /**
   * Links the user's unsent uploads for the room to the message, in the order given, in one transaction; answers
   * how many it linked (fewer than asked: some were not theirs, not for the room or already sent).
   */
  attach(messageId: number, uploaderId: UserId, roomId: RoomId, ids: readonly string[]): Promise<number>;
  /** The files of the messages, by message then in the order they were attached. */
  ofMessages(messageIds: readonly number[]): Promise<AttachmentRecord[]>;
  ofRoom(roomId: RoomId): Promise<AttachmentRecord[]>;
  /** How many unsent uploads the user holds in the app. */
  unsentCount(appId: AppId, uploaderId: UserId): Promise<number>;
  /** Unsent uploads created before `before`, oldest first. */
  unsentBefore(before: number, limit: number): Promise<AttachmentRecord[]>;
  /** The user's uploads in the app, sent or not, newest first, at most `limit`. */
  ofUploader(appId: AppId, uploaderId: UserId, limit: number): Promise<AttachmentRecord[]>;
  remove(ids: readonly string[]): Promise<void>;
}

/** Both stores' statements ($n placeholders; the SQLite store renames them). */
export const ATTACHMENT_SQL = {
  insert: `INSERT INTO attachments (id, app_id, room_id, uploader_id, message_id, position, name, size, type,
    width, height, thumb_type, created_at) VALUES ($1, $2, $3, $4, NULL, 0, $5, $6, $7, $8, $9, $10, $11)`,
  attachOne: `UPDATE attachments SET message_id = $1, position = $2
    WHERE id = $3 AND uploader_id = $4 AND room_id = $5 AND message_id IS NULL`,
  ofRoom: 'SELECT * FROM attachments WHERE room_id = $1',
  unsentCount:
    'SELECT count(*) AS n FROM attachments WHERE app_id = $1 AND uploader_id = $2 AND message_id IS NULL',
  unsentBefore:
    'SELECT * FROM attachments WHERE message_id IS NULL AND created_at < $1 ORDER BY created_at LIMIT $2',
  ofUploader: `SELECT * FROM attachments WHERE app_id = $1 AND uploader_id = $2
    ORDER BY created_at DESC, id DESC LIMIT $3`,
} as const;
