import { guestReadOnly, messageDeleted, messageNotFound, roomNotFound, staffOnly } from '../core/failures.js';
import { checkMessageId } from '../core/messages.js';
import {
  cannotReportOwn,
  checkQueueLimit,
  checkQueueReason,
  checkReport,
  checkResolution,
  establishedBefore,
  notInQueue,
  QUEUE_CONTEXT,
  QUEUE_REPORTERS_MAX,
} from '../core/reports.js';
import { isStaff } from '../core/roles.js';
import { parseSearchQuery } from '../core/search.js';
import type { App, AppId, Message, Room, User, UserId, UserRef } from '../core/types.js';
import { TOMBSTONE_AUTHOR_ID } from '../core/types.js';
import type { EngineContext } from './context.js';
import type { EngineEvent, MessageView } from './events.js';
import { assertMayModerate, type Actor } from './moderation.js';
import type { Moderator } from './moderator.js';
import type { ModerationCache } from './moderationCache.js';
import type { QueueEntryRecord, QueueFilter, ReportRecord } from './ports/reportStore.js';
import type { ShadowMutes } from './shadowMutes.js';
import type { WebhookEvents } from './webhookEvents.js';
import type {
  AuthorSummary,
  QueueEntryView,
  QueuePage,
  QueueQuery,
  ReportEntry,
  ReportResult,
  ResolveInput,
} from './reportViews.js';
import { viewOf, type Viewer } from './visibility.js';
import { toMessageView, toRoomRef } from './views.js';

export interface ReportsDeps {
  getApp(appId: AppId): Promise<App>;
  getUser(appId: AppId, userId: UserId): Promise<User | null>;
  moderator: Pick<Moderator, 'mute' | 'ban' | 'record'>;
  moderation: Pick<ModerationCache, 'activeMute' | 'activeBan'>;
  shadowMutes: Pick<ShadowMutes, 'active'>;
  remove(room: Room, actor: Actor, messageId: number): Promise<MessageView>;
  roomEvent(room: Room, event: EngineEvent): void;
  staffEvent(appId: AppId, event: EngineEvent): void;
  /** `report.created`, written in the report's (or the hold's) transaction. */
  events?: Pick<WebhookEvents, 'report' | 'queued'>;
  /** Called when a report is resolved with an action (not a dismissal): the report was upheld. */
  onUpheld?: (appId: AppId, userId: UserId, reason: string) => void;
}

/**
 * Reports of messages and the moderation queue. Users report a message (once each); staff hear
 * `report_created` and see the open queue; K distinct established reporters hide the message until a moderator
 * decides (the app's `reports` setting); a message the post pipeline held for review enters the queue too.
 * A moderator resolves an entry in one step: dismiss (a held or hidden message becomes visible and is handed to
 * the room again, `released`), or delete the message, or mute or ban its author. Each resolution is recorded.
 */
export class Reports {
  constructor(
    private readonly ctx: EngineContext,
    private readonly deps: ReportsDeps,
  ) {}

  private async message(room: Room, messageId: number): Promise<Message> {
    const message = await this.ctx.store.messages.get(room.id, messageId);
    if (!message) throw messageNotFound();
    return message;
  }

  async report(
    app: App,
    room: Room,
    reporter: Viewer,
    rawId: unknown,
    input: { reason?: unknown; text?: unknown },
  ): Promise<ReportResult> {
    // Guests report only where they may write: reports are a voice, and an app that keeps guests quiet keeps
    // them from filling the queue too.
    if (reporter.user.role === 'guest' && !app.settings.guestsCanWrite) throw guestReadOnly();
    const checked = checkReport(input);
    const message = await this.message(room, checkMessageId(rawId));
    // A message the reporter may not see does not exist for them.
    if (viewOf(reporter, toMessageView(message, room.name)) === null) throw messageNotFound();
    if (message.deletedAt !== null) throw messageDeleted();
    if (message.author?.id === reporter.user.id) throw cannotReportOwn();
    const now = this.ctx.clock.now();
    const outbox = await this.deps.events?.report(room, checked.reason);
    const outcome = await this.ctx.track(
      this.ctx.store.reports.add(
        {
          appId: app.id,
          roomId: room.id,
          messageId: message.id,
          reporterId: reporter.user.id,
          ...checked,
          at: now,
          establishedBefore: establishedBefore(app.settings.reports, now),
        },
        outbox,
      ),
    );
    const { report } = outcome;
    const result = {
      messageId: message.id,
      reason: report.reason,
      text: report.text,
      createdAt: report.createdAt,
    };
    if (!outcome.added) return { ...result, duplicate: true };
    if (outbox) this.deps.events?.queued();
    this.deps.staffEvent(app.id, {
      type: 'report_created',
      room: toRoomRef(room),
      messageId: message.id,
      reporters: outcome.entry.reporters,
      reason: checked.reason,
    });
    const { hideAfter } = app.settings.reports;
    // Only the report that reaches the threshold hides: once a moderator dismissed it, later ones do not.
    if (hideAfter > 0 && outcome.established === hideAfter && message.visibility === undefined) {
      const hidden = await this.ctx.track(
        this.ctx.store.reports.setVisibility(room.id, message.id, 'hidden'),
      );
      this.deps.roomEvent(room, {
        type: 'message_hidden',
        room: toRoomRef(room),
        messageId: hidden.id,
        seq: hidden.seq,
      });
    }
    return { ...result, duplicate: false };
  }

  /** A message the post pipeline stored as 'held': it enters the queue, and staff hear of it. */
  async held(room: Room, message: MessageView): Promise<void> {
    const outbox = await this.deps.events?.report(room, 'held');
    const at = this.ctx.clock.now();
    await this.ctx.track(this.ctx.store.reports.hold(room.appId, room.id, message.id, at, outbox));
    if (outbox) this.deps.events?.queued();
    this.deps.staffEvent(room.appId, {
      type: 'report_created',
      room: toRoomRef(room),
      messageId: message.id,
      reporters: 0,
      reason: 'held',
    });
  }

  async queue(appId: AppId, query: QueueQuery): Promise<QueuePage> {
    const limit = checkQueueLimit(query.limit);
    const before = query.before === undefined ? undefined : checkMessageId(query.before);
    const status = query.status ?? 'open';
    const records = await this.ctx.store.reports.queue(appId, {
      status,
      limit,
      ...(before === undefined ? {} : { before }),
      ...(await this.narrowing(appId, query)),
    });
    const entries = (await Promise.all(records.map((r) => this.entryView(r)))).flatMap((e) => e ?? []);
    const last = records[records.length - 1];
    return { entries, nextCursor: records.length === limit && last ? last.messageId : null };
  }

  /** The queue's optional filters, checked: a room by name, a reason, and words the message must hold. */
  private async narrowing(appId: AppId, query: QueueQuery): Promise<Partial<QueueFilter>> {
    const filter: Partial<QueueFilter> = {};
    if (query.reason !== undefined) filter.reason = checkQueueReason(query.reason);
    if (query.q !== undefined) filter.match = parseSearchQuery(query.q);
    if (query.room !== undefined) {
      const room = await this.ctx.store.directory.findRoomByName(appId, query.room);
      if (!room) throw roomNotFound(query.room);
      filter.roomId = room.id;
    }
    return filter;
  }

  private async entryView(entry: QueueEntryRecord): Promise<QueueEntryView | null> {
    const room = await this.ctx.store.directory.getRoom(entry.appId, entry.roomId);
    if (!room) return null;
    const log = this.ctx.store.messages;
    const message = await log.get(room.id, entry.messageId);
    if (!message) return null;
    const [before, after, reports] = await Promise.all([
      log.range(room.id, { beforeSeq: message.seq, limit: QUEUE_CONTEXT }),
      log.range(room.id, { afterSeq: message.seq, limit: QUEUE_CONTEXT }),
      this.ctx.store.reports.reports(message.id, QUEUE_REPORTERS_MAX),
    ]);
    return {
      room: toRoomRef(room),
      message: toMessageView(message, room.name),
      context: [...before, ...after].map((m) => toMessageView(m, room.name)),
      status: entry.status,
      reason: entry.reason,
      openedAt: entry.openedAt,
      reporters: entry.reporters,
      reports: reports.map(toReportEntry),
      author: await this.authorSummary(entry.appId, message.author),
      resolution: entry.resolution,
      resolvedBy: entry.resolvedBy,
      resolvedAt: entry.resolvedAt,
      note: entry.note,
    };
  }

  private async authorSummary(appId: AppId, author: UserRef | null): Promise<AuthorSummary | null> {
    if (author === null || author.id === TOMBSTONE_AUTHOR_ID) return null;
    const now = this.ctx.clock.now();
    const [record, mute, ban, shadow] = await Promise.all([
      this.ctx.store.reports.moderationCounts(appId, author.id),
      this.deps.moderation.activeMute(appId, author.id, -1, now),
      this.deps.moderation.activeBan(appId, author.id, now),
      this.deps.shadowMutes.active(appId, author.id),
    ]);
    return { user: author, record, muted: mute !== null, banned: ban !== null, shadowMuted: shadow !== null };
  }

  /**
   * Resolves an open entry in one step. A mute or ban is checked against the role order before the entry is
   * claimed; the claim is atomic, so of two moderators resolving at once one gets `not_found`.
   */
  async resolve(appId: AppId, rawId: unknown, input: ResolveInput, actor: Actor): Promise<QueueEntryView> {
    if (actor.kind === 'user' && !isStaff(actor.user.role)) throw staffOnly();
    const messageId = checkMessageId(rawId);
    const resolution = checkResolution(input);
    const entry = await this.ctx.store.reports.entry(appId, messageId);
    if (!entry || entry.status !== 'open') throw notInQueue();
    const room = await this.ctx.store.directory.getRoom(appId, entry.roomId);
    if (!room) throw roomNotFound();
    const message = await this.message(room, messageId);
    const author = message.author ? await this.deps.getUser(appId, message.author.id) : null;
    const acting = resolution.action === 'mute' || resolution.action === 'ban';
    if (acting && author === null) throw notInQueue();
    if (acting && author) assertMayModerate(actor, author);
    const claimed = await this.ctx.track(
      this.ctx.store.reports.resolve(appId, messageId, {
        action: resolution.action,
        by: actor.kind === 'user' ? actor.user.id : null,
        at: this.ctx.clock.now(),
        note: resolution.reason,
      }),
    );
    if (!claimed) throw notInQueue();
    const opts = {
      reason: resolution.reason,
      ...(resolution.minutes === null ? {} : { minutes: resolution.minutes }),
    };
    if (resolution.action === 'dismiss') await this.release(room, message);
    else if (resolution.action === 'delete') await this.deps.remove(room, actor, messageId);
    else if (author && resolution.action === 'mute')
      await this.deps.moderator.mute(appId, author.username, opts, actor);
    else if (author) await this.deps.moderator.ban(appId, author.username, opts, actor);
    await this.deps.moderator.record(appId, 'report_resolved', actor, author?.id ?? null, room.id, {
      messageId,
      action: resolution.action,
      minutes: resolution.minutes,
      reason: resolution.reason,
    });
    if (resolution.action !== 'dismiss' && author) this.deps.onUpheld?.(appId, author.id, resolution.reason);
    const view = await this.entryView(claimed);
    if (!view) throw notInQueue();
    return view;
  }

  /**
   * A dismissal makes a held or hidden message visible, and hands it to the room again as a `message` with
   * `released`: it keeps its seq (the room's order does not change), and clients that never had it (held) or
   * dropped it (hidden) get it now. A shadow message stays what it is: dismissing a report does not lift a
   * shadow mute.
   */
  private async release(room: Room, message: Message): Promise<void> {
    if (message.visibility !== 'held' && message.visibility !== 'hidden') return;
    const shown = await this.ctx.track(this.ctx.store.reports.setVisibility(room.id, message.id, 'visible'));
    if (shown.deletedAt !== null) return;
    this.deps.roomEvent(room, {
      type: 'message',
      room: toRoomRef(room),
      message: toMessageView(shown, room.name),
      released: true,
    });
  }
}

function toReportEntry(report: ReportRecord): ReportEntry {
  return { reporter: report.reporter, reason: report.reason, text: report.text, createdAt: report.createdAt };
}
