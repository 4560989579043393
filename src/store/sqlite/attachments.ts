import type Database from 'better-sqlite3';
import type { AppId, RoomId, UserId } from '../../core/types.js';
import {
  ATTACHMENT_SQL,
  type AttachmentRecord,
  type AttachmentStore,
} from '../../engine/ports/attachmentStore.js';
import { insertValues, toAttachment, type AttachmentRow } from '../attachmentRows.js';
import { sqliteParams, sqliteText } from '../reportRows.js';
import { guard } from './errors.js';

type Params = Record<string, unknown>;

export class SqliteAttachmentStore implements AttachmentStore {
  private readonly q;

  constructor(private readonly db: Database.Database) {
    const prepare = (text: string) => db.prepare<Params, AttachmentRow>(sqliteText(text));
    this.q = {
      insert: prepare(ATTACHMENT_SQL.insert),
      attachOne: prepare(ATTACHMENT_SQL.attachOne),
      ofRoom: prepare(ATTACHMENT_SQL.ofRoom),
      unsentCount: db.prepare<Params, number>(sqliteText(ATTACHMENT_SQL.unsentCount)).pluck(),
      unsentBefore: prepare(ATTACHMENT_SQL.unsentBefore),
      ofUploader: prepare(ATTACHMENT_SQL.ofUploader),
      get: prepare('SELECT * FROM attachments WHERE id IN (SELECT value FROM json_each(@p1))'),
      ofMessages: prepare(
        `SELECT * FROM attachments WHERE message_id IN (SELECT value FROM json_each(@p1))
         ORDER BY message_id, position`,
      ),
      remove: prepare('DELETE FROM attachments WHERE id IN (SELECT value FROM json_each(@p1))'),
    };
  }

  private run<T>(fn: () => T): Promise<T> {
    return Promise.resolve(guard(this.db, fn));
  }

  insert(record: AttachmentRecord): Promise<void> {
    return this.run(() => void this.q.insert.run(sqliteParams(insertValues(record))));
  }

  get(ids: readonly string[]): Promise<AttachmentRecord[]> {
    return this.run(() => this.q.get.all({ p1: JSON.stringify(ids) }).map(toAttachment));
  }

  attach(messageId: number, uploaderId: UserId, roomId: RoomId, ids: readonly string[]): Promise<number> {
    const linkAll = this.db.transaction(() =>
      ids.reduce(
        (n, id, position) =>
          n + this.q.attachOne.run(sqliteParams([messageId, position, id, uploaderId, roomId])).changes,
        0,
      ),
    );
    return this.run(() => linkAll());
  }

  ofMessages(messageIds: readonly number[]): Promise<AttachmentRecord[]> {
    return this.run(() => this.q.ofMessages.all({ p1: JSON.stringify(messageIds) }).map(toAttachment));
  }

  ofRoom(roomId: RoomId): Promise<AttachmentRecord[]> {
    return this.run(() => this.q.ofRoom.all({ p1: roomId }).map(toAttachment));
  }

  unsentCount(appId: AppId, uploaderId: UserId): Promise<number> {
    return this.run(() => this.q.unsentCount.get({ p1: appId, p2: uploaderId }) ?? 0);
  }

  unsentBefore(before: number, limit: number): Promise<AttachmentRecord[]> {
    return this.run(() => this.q.unsentBefore.all({ p1: before, p2: limit }).map(toAttachment));
  }

  ofUploader(appId: AppId, uploaderId: UserId, limit: number): Promise<AttachmentRecord[]> {
    return this.run(() => this.q.ofUploader.all({ p1: appId, p2: uploaderId, p3: limit }).map(toAttachment));
  }

  remove(ids: readonly string[]): Promise<void> {
    return this.run(() => void this.q.remove.run({ p1: JSON.stringify(ids) }));
  }
}
