import { createHash } from 'node:crypto';
import { setTimeout as pause } from 'node:timers/promises';
import { ERASE_BATCH, ERASURES_LIST_MAX, EXPORT_PAGE } from '../core/dataProtection.js';
import { usernameKey } from '../core/names.js';
import type { App, AppId, Message, MessageId, Room, RoomId, User } from '../core/types.js';
import type { ErasurePage } from './api.js';
import type { Broadcast } from './broadcast.js';
import type { Catalog } from './catalog.js';
import type { EngineContext } from './context.js';
import type { ErasureRecord, TouchedMessage } from './ports/dataProtectionStore.js';
import { EXPORT_SECTIONS } from './ports/dataProtectionStore.js';
import type { Revocation } from './revocation.js';
import { refOf, toMessageView, toRoomRef } from './views.js';

/** The export's format name; a change that is not additive gets a new number. */
export const EXPORT_FORMAT = 'parley.user-export/1';

/** The audit action of an erasure, whose record names the user by hash only (see auditView). */
export const ERASE_AUDIT_ACTION = 'user.erase';

/** The part of an audit record that names what changed. */
interface AuditedChange {
  appId: AppId | null;
  action: string;
  changes: Record<string, unknown>;
}

/** What the parts give data protection. */
export interface DataProtectionParts {
  catalog: Pick<Catalog, 'getApp' | 'findUser' | 'findRoom'>;
  revocation: Pick<Revocation, 'revokeUser' | 'listTokens'>;
  broadcast: Pick<Broadcast, 'roomEvent'>;
  /**
   * The files of these messages must go (an erased user's uploads, messages purged by retention); the
   * attachments part removes them from file storage.
   */
  removeMessageFiles(appId: AppId, messageIds: readonly MessageId[]): Promise<void>;
  /** The files a user uploaded, for the export, newest first and bounded; the attachments part lists them. */
  listUserUploads(appId: AppId, user: User): Promise<unknown[]>;
}

/**
 * The hash an erasure record keeps instead of the username: whoever knows the name (and the app) can tell that
 * it was erased, nobody can read the name back from the record.
 */
export function usernameHash(appId: AppId, username: string): string {
  return createHash('sha256')
    .update(`${appId}:${usernameKey(username)}`)
    .digest('hex');
}

/**
 * A user's data: exported as one JSON document read from the store page by page (never held whole), erased
 * (sessions closed, tokens gone, messages deleted or anonymised in bounded batches, the user row removed, a
 * record kept without the username), and the record listed. docs/data-protection.md.
 */
export class DataProtection {
  constructor(
    private readonly ctx: EngineContext,
    private readonly parts: DataProtectionParts,
  ) {}

  /** Finds the user first (so a wrong name fails before anything is sent), then yields the document's text. */
  async exportUser(appId: AppId, username: string): Promise<AsyncIterable<string>> {
    const app = await this.parts.catalog.getApp(appId);
    const user = await this.parts.catalog.findUser(appId, username);
    const tokens = await this.parts.revocation.listTokens(appId, user.username);
    const uploads = await this.parts.listUserUploads(appId, user);
    return this.document(app, user, { tokens, uploads });
  }

  private async *document(app: App, user: User, head: Record<string, unknown>): AsyncIterable<string> {
    const store = this.ctx.store.dataProtection;
    const account = { ...refOf(user), kind: user.kind, createdAt: user.createdAt };
    const opening = {
      format: EXPORT_FORMAT,
      exportedAt: this.ctx.clock.now(),
      app: { id: app.id, name: app.name },
      user: account,
      ...head,
    };
    yield JSON.stringify(opening).slice(0, -1);
    for (const section of EXPORT_SECTIONS) {
      yield `,${JSON.stringify(section)}:[`;
      let after = 0;
      let first = true;
      for (;;) {
        const page = await store.section(app.id, user.id, section, { after, limit: EXPORT_PAGE });
        for (const { row } of page) {
          yield (first ? '' : ',') + JSON.stringify(row);
          first = false;
        }
        const last = page.at(-1);
        if (!last || page.length < EXPORT_PAGE) break;
        after = last.cursor;
      }
      yield ']';
    }
    yield ',"messages":[';
    let afterId = 0;
    let first = true;
    for (;;) {
      const page = await store.messagesBy(app.id, user.id, { afterId, limit: EXPORT_PAGE });
      for (const message of page) {
        yield (first ? '' : ',') + JSON.stringify(exported(message));
        first = false;
      }
      const last = page.at(-1);
      if (!last || page.length < EXPORT_PAGE) break;
      afterId = last.id;
    }
    yield ']}';
  }

  /**
   * Erases the user: every session closed and every token deleted first (so nothing new is written), then the
   * messages in batches as the app's `erasure.messages` says, their files through the files hook, then the
   * user row with what goes with it. Connected clients get `message_deleted` for each deleted message; an
   * anonymised message changes author without an event (it reads as "deleted user" from then on).
   */
  async eraseUser(appId: AppId, username: string): Promise<ErasureRecord> {
    const app = await this.parts.catalog.getApp(appId);
    const user = await this.parts.catalog.findUser(appId, username);
    const revoked = await this.parts.revocation.revokeUser(appId, user.username);
    const mode = app.settings.erasure.messages;
    const store = this.ctx.store.dataProtection;
    const rooms = new Map<RoomId, Room | null>();
    let messages = 0;
    for (;;) {
      const now = this.ctx.clock.now();
      const batch = await this.ctx.track(
        store.eraseMessages(appId, user.id, mode, { now, limit: ERASE_BATCH }),
      );
      messages += batch.length;
      await this.parts.removeMessageFiles(
        appId,
        batch.map((m) => m.id),
      );
      if (mode === 'delete') await this.tellDeleted(appId, batch, rooms);
      if (batch.length < ERASE_BATCH) break;
      // Let sends and reads through between two batches of a big erasure.
      await pause(0);
    }
    const removed = await this.ctx.track(store.removeUser(appId, user.id));
    return this.ctx.track(
      store.recordErasure({
        appId,
        at: this.ctx.clock.now(),
        actor: 'operator',
        userId: user.id,
        usernameHash: usernameHash(appId, user.username),
        messages: mode,
        counts: { messages, ...(removed ?? {}), tokens: revoked.tokens },
      }),
    );
  }

  private async tellDeleted(
    appId: AppId,
    batch: readonly TouchedMessage[],
    rooms: Map<RoomId, Room | null>,
  ): Promise<void> {
    for (const { roomId, id } of batch) {
      let room = rooms.get(roomId);
      if (room === undefined) {
        room = await this.ctx.store.directory.getRoom(appId, roomId);
        rooms.set(roomId, room);
      }
      const message = room ? await this.ctx.store.messages.get(roomId, id) : null;
      if (!room || !message) continue;
      const view = toMessageView(message, room.name);
      this.parts.broadcast.roomEvent(room, { type: 'message_deleted', room: toRoomRef(room), message: view });
    }
  }

  async listErasures(appId: AppId, query: { limit?: number; before?: number }): Promise<ErasurePage> {
    await this.parts.catalog.getApp(appId);
    const limit = Math.min(query.limit ?? 50, ERASURES_LIST_MAX);
    const erasures = await this.ctx.store.dataProtection.listErasures(appId, {
      limit,
      ...(query.before === undefined ? {} : { beforeId: query.before }),
    });
    const last = erasures.at(-1);
    return { erasures, nextBefore: erasures.length === limit && last ? last.id : null };
  }

  /** A room's retention: days, null for forever, 'app' for the app's. */
  async setRoomRetention(appId: AppId, roomName: string, days: number | null | 'app'): Promise<void> {
    const room = await this.parts.catalog.findRoom(appId, roomName);
    await this.ctx.track(
      this.ctx.store.dataProtection.setRoomRetention(appId, room.id, days === 'app' ? undefined : days),
    );
  }

  /** The audit record of an erasure names the user by hash, as the erasure record does. */
  auditView<T extends AuditedChange>(entry: T): T {
    const username = entry.changes['username'];
    if (entry.action !== ERASE_AUDIT_ACTION || typeof username !== 'string' || entry.appId === null) {
      return entry;
    }
    const { username: _named, ...changes } = entry.changes;
    return { ...entry, changes: { ...changes, usernameHash: usernameHash(entry.appId, username) } };
  }
}

/** A message as exported: as stored, without the app (the document names it once). */
function exported(message: Message): Omit<Message, 'appId'> {
  const { appId: _app, ...rest } = message;
  return rest;
}
