import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import {
  ATTACHMENTS_PER_MESSAGE_CAP,
  FILE_URL_TTL_MS,
  RASTER_IMAGE_TYPES,
  UNATTACHED_PER_USER_MAX,
  UNATTACHED_TTL_MS,
  attachmentEmpty,
  attachmentNotFound,
  attachmentTooLarge,
  attachmentType,
  attachmentsOff,
  cleanFileName,
  tooManyAttachments,
  typeAllowed,
} from '../core/attachments.js';
import { ParleyError } from '../core/errors.js';
import { badField, banned, guestReadOnly } from '../core/failures.js';
import type { App, AppId, Attachment, Room, UserId, UserRef } from '../core/types.js';
import type { EngineAttachments, ServedFile, UploadInput } from './attachmentsApi.js';
import type { EngineContext } from './context.js';
import type { MessageView } from './events.js';
import { inspectFile, sniffType } from './fileContent.js';
import type { ModerationCache } from './moderationCache.js';
import type { AttachmentRecord } from './ports/attachmentStore.js';
import type { FileStore } from './ports/fileStore.js';

/** What the part is given: the file store (null: none configured, uploads off) and the URL signing key. */
export interface AttachmentDeps {
  files: FileStore | null;
  urlKey: Buffer;
  /** Put before the URLs' path: where the server is mounted (library mode's prefix), or ''. */
  urlPrefix: string;
  getApp(appId: AppId): Promise<App>;
  findRoom(appId: AppId, name: unknown): Promise<Room>;
  canSee(room: Room, user: UserRef): Promise<boolean>;
  /** The user a token signs in as (with the ban and revocation rules of every sign-in). */
  signIn(appId: AppId, token: string): Promise<UserRef>;
  moderation: ModerationCache;
}

/** One upload as a user's export lists it (docs/data-protection.md); messageId null: never sent. */
export interface UploadListing {
  id: string;
  name: string;
  size: number;
  type: string;
  messageId: number | null;
  roomId: number;
  createdAt: number;
}

const ID = /^[0-9a-f]{32}$/;
const idList = z.array(z.string().regex(ID)).max(ATTACHMENTS_PER_MESSAGE_CAP);
/** Signed URLs end on the next five minutes, so that two reads of a message give the same (cacheable) URL. */
const EXPIRY_STEP_S = 300;
const SWEEP_BATCH = 200;
/** The most uploads an export lists (newest first); a user holding more is told by the count falling short. */
export const EXPORT_UPLOADS_MAX = 1000;
/** Content types a file is served with; anything else goes out as opaque bytes. */
const SERVED_TYPES = new Set([...RASTER_IMAGE_TYPES, 'application/pdf', 'application/zip']);

const fileKeys = (record: AttachmentRecord): string[] =>
  record.thumbType === null ? [record.id] : [record.id, `${record.id}.thumb`];

/**
 * Files in messages (docs/attachments.md): uploads checked from their content and kept in the file store,
 * linked to a message when it is sent, shown with URLs signed for each read, removed with their message or room
 * and swept when never sent.
 */
export class Attachments implements EngineAttachments {
  constructor(
    private readonly ctx: EngineContext,
    private readonly deps: AttachmentDeps,
  ) {}

  async uploadLimit(appId: AppId): Promise<number> {
    const { attachments } = (await this.deps.getApp(appId)).settings;
    if (!attachments.enabled || this.deps.files === null) throw attachmentsOff();
    return attachments.maxBytes;
  }

  async upload(input: UploadInput): Promise<Attachment> {
    const maxBytes = await this.uploadLimit(input.appId);
    const files = this.deps.files as FileStore;
    const app = await this.deps.getApp(input.appId);
    const user = await this.deps.signIn(input.appId, input.token);
    const room = await this.deps.findRoom(input.appId, input.room);
    await this.checkWriter(app, room, user);
    if (input.bytes.length > maxBytes) throw attachmentTooLarge(maxBytes);
    if (input.bytes.length === 0) throw attachmentEmpty();
    const store = this.ctx.store.attachments;
    if ((await store.unsentCount(app.id, user.id)) >= UNATTACHED_PER_USER_MAX) {
      throw new ParleyError(
        'rate_limited',
        `Send or wait out your ${UNATTACHED_PER_USER_MAX} unsent uploads`,
        {
          max: UNATTACHED_PER_USER_MAX,
        },
      );
    }
    const sniffed = await sniffType(input.bytes);
    if (!typeAllowed(sniffed, app.settings.attachments.types)) throw attachmentType(sniffed);
    const kept = await inspectFile(input.bytes, sniffed);
    const record: AttachmentRecord = {
      id: randomBytes(16).toString('hex'),
      appId: app.id,
      roomId: room.id,
      uploaderId: user.id,
      messageId: null,
      name: cleanFileName(input.name),
      size: kept.bytes.length,
      type: kept.type,
      width: kept.width ?? null,
      height: kept.height ?? null,
      thumbType: kept.thumbnail?.type ?? null,
      createdAt: this.ctx.clock.now(),
    };
    await files.put(record.id, kept.bytes, record.type);
    if (kept.thumbnail) await files.put(`${record.id}.thumb`, kept.thumbnail.bytes, kept.thumbnail.type);
    await this.ctx.track(store.insert(record));
    return this.view(record);
  }

  /** The rights of a send: not banned, a guest only where guests write, a room they may see, not muted. */
  private async checkWriter(app: App, room: Room, user: UserRef): Promise<void> {
    const { moderation } = this.deps;
    const now = this.ctx.clock.now();
    if (!(await this.deps.canSee(room, user)))
      throw new ParleyError('forbidden', 'You are not a member of this room');
    if (user.role === 'guest' && !app.settings.guestsCanWrite) throw guestReadOnly();
    if ((await moderation.activeBan(app.id, user.id, now)) !== null) throw banned();
    await moderation.refuseMuted(app.id, user, room.id, now);
  }

  /**
   * The uploads a send names, checked before the message is stored: the author's, for this room, unsent. An
   * upload already sent passes only for a retry (a clientMsgId), which the store answers with the original.
   */
  async checkForSend(app: App, author: UserId, room: Room, raw: unknown, retry: boolean): Promise<string[]> {
    if (raw === undefined || raw === null) return [];
    const parsed = idList.safeParse(raw);
    if (!parsed.success) throw badField('attachments', 'attachments must be at most 10 upload ids');
    const ids = parsed.data;
    if (ids.length === 0) return [];
    if (!app.settings.attachments.enabled) throw attachmentsOff();
    if (ids.length > app.settings.attachments.maxPerMessage)
      throw tooManyAttachments(app.settings.attachments.maxPerMessage);
    if (new Set(ids).size !== ids.length) throw badField('attachments', 'an upload can be sent only once');
    const found = new Map((await this.ctx.store.attachments.get(ids)).map((r) => [r.id, r]));
    for (const id of ids) {
      const record = found.get(id);
      const usable =
        record?.uploaderId === author && record.roomId === room.id && (record.messageId === null || retry);
      if (!usable) throw attachmentNotFound(id);
    }
    return ids;
  }

  /** Links the checked uploads to the stored message; null when another send took one of them meanwhile. */
  async link(room: Room, author: UserId, messageId: number, ids: string[]): Promise<Attachment[] | null> {
    const store = this.ctx.store.attachments;
    const linked = await this.ctx.track(store.attach(messageId, author, room.id, ids));
    if (linked !== ids.length) return null;
    const records = await store.ofMessages([messageId]);
    return records.map((r) => this.view(r));
  }

  /** The decorator of every read: each message's files, with URLs signed now. */
  async fill(views: MessageView[]): Promise<void> {
    const records = await this.ctx.store.attachments.ofMessages(views.map((v) => v.id));
    if (records.length === 0) return;
    const byMessage = new Map<number, Attachment[]>();
    for (const record of records) {
      const list = byMessage.get(record.messageId ?? 0) ?? [];
      list.push(this.view(record));
      byMessage.set(record.messageId ?? 0, list);
    }
    for (const view of views) {
      const list = byMessage.get(view.id);
      if (list && view.deletedAt === null) view.attachments = list;
    }
  }

  private view(record: AttachmentRecord): Attachment {
    const expires =
      Math.ceil((this.ctx.clock.now() + FILE_URL_TTL_MS) / 1000 / EXPIRY_STEP_S) * EXPIRY_STEP_S;
    return {
      id: record.id,
      name: record.name,
      size: record.size,
      type: record.type,
      ...(record.width === null ? {} : { width: record.width }),
      ...(record.height === null ? {} : { height: record.height }),
      url: this.signedUrl(record.id, 'file', expires),
      ...(record.thumbType === null ? {} : { thumbnailUrl: this.signedUrl(record.id, 'thumb', expires) }),
    };
  }

  private signature(id: string, variant: string, expires: string): Buffer {
    return createHmac('sha256', this.deps.urlKey)
      .update(`${id}/${variant}/${expires}`)
      .digest()
      .subarray(0, 24);
  }

  private signedUrl(id: string, variant: 'file' | 'thumb', expires: number): string {
    const sig = this.signature(id, variant, String(expires)).toString('base64url');
    return `${this.deps.urlPrefix}/api/v1/files/${id}/${variant}?exp=${expires}&sig=${sig}`;
  }

  async open(id: string, variant: string, expires: string, signature: string): Promise<ServedFile> {
    const gone = () => new ParleyError('not_found', 'No such file, or the link has expired');
    if (!ID.test(id) || (variant !== 'file' && variant !== 'thumb') || !/^[0-9]{1,12}$/.test(expires))
      throw gone();
    const given = Buffer.from(signature, 'base64url');
    const expected = this.signature(id, variant, expires);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw gone();
    if (Number(expires) * 1000 < this.ctx.clock.now()) throw gone();
    const [record] = await this.ctx.store.attachments.get([id]);
    const files = this.deps.files;
    if (!record || !files || (variant === 'thumb' && record.thumbType === null)) throw gone();
    const stored = await files.read(variant === 'thumb' ? `${id}.thumb` : id);
    if (!stored) throw gone();
    const type = variant === 'thumb' ? (record.thumbType ?? '') : record.type;
    const inline = RASTER_IMAGE_TYPES.includes(type);
    const served = type === 'text/plain' ? 'text/plain; charset=utf-8' : type;
    return {
      stream: stored.stream,
      size: stored.size,
      type: SERVED_TYPES.has(type) || type === 'text/plain' ? served : 'application/octet-stream',
      name: record.name,
      inline,
    };
  }

  /** The user's uploads for their data export, newest first: what each file is and where it was sent. */
  async uploadsOf(appId: AppId, userId: UserId): Promise<UploadListing[]> {
    const records = await this.ctx.store.attachments.ofUploader(appId, userId, EXPORT_UPLOADS_MAX);
    return records.map((r) => ({
      id: r.id,
      name: r.name,
      size: r.size,
      type: r.type,
      messageId: r.messageId,
      roomId: r.roomId,
      createdAt: r.createdAt,
    }));
  }

  /**
   * Removes the files of the messages (their bytes and their rows). Called when a message is deleted; also the
   * entry point for erasing a user's messages and for retention.
   */
  async deleteForMessages(messageIds: readonly number[]): Promise<void> {
    if (messageIds.length === 0) return;
    await this.removeRecords(await this.ctx.store.attachments.ofMessages(messageIds));
  }

  /** The room's files, sent or not (the room is being deleted). */
  async deleteForRoom(roomId: number): Promise<void> {
    await this.removeRecords(await this.ctx.store.attachments.ofRoom(roomId));
  }

  /** Uploads never sent within the hour are removed, a batch at a time. */
  async sweepUnsent(): Promise<number> {
    const before = this.ctx.clock.now() - UNATTACHED_TTL_MS;
    const records = await this.ctx.store.attachments.unsentBefore(before, SWEEP_BATCH);
    await this.removeRecords(records);
    return records.length;
  }

  private async removeRecords(records: AttachmentRecord[]): Promise<void> {
    if (records.length === 0) return;
    // The bytes first: a row whose file is gone answers not_found; a file without a row would never be found.
    await this.deps.files?.delete(records.flatMap(fileKeys));
    await this.ctx.track(this.ctx.store.attachments.remove(records.map((r) => r.id)));
  }
}
