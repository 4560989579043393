import { staffOnly } from '../core/failures.js';
import type { LimitedOperation } from '../core/operationLimits.js';
import { isStaff } from '../core/roles.js';
import type { App, AppId, Room, UserRef } from '../core/types.js';
import type { Actor } from './moderation.js';
import type { ShadowMute } from './ports/reportStore.js';
import type { Reports } from './reports.js';
import type { QueueEntryView, QueuePage, QueueQuery, ReportResult, ResolveInput } from './reportViews.js';
import type { ShadowMutes } from './shadowMutes.js';

/** What the reports of a session need of it (session.ts), named here so that this file does not import it. */
export interface ReportingSession {
  readonly appId: AppId;
  readonly user: UserRef;
  readonly anonymous: boolean;
  /** The door of every operation: open session (a user, for writes), then the operation's rate limit. */
  enter(op: LimitedOperation, needs: 'open' | 'user'): void | Promise<void>;
  visibleRoom(name: unknown): Promise<Room>;
}

export interface ReportingHost {
  getApp(appId: AppId): Promise<App>;
  readonly reportQueue: Pick<Reports, 'report' | 'queue' | 'resolve'>;
  readonly shadowMutes: Pick<ShadowMutes, 'mute' | 'unmute'>;
}

/**
 * One session's reports and shadow mutes (Session.reports): reporting a message of a room the user may see,
 * and, for staff, the moderation queue, its resolutions and shadow mutes.
 */
export class SessionReports {
  constructor(
    private readonly session: ReportingSession,
    private readonly host: ReportingHost,
  ) {}

  private get actor(): Actor {
    return { kind: 'user', user: this.session.user };
  }

  /** Staff only, checked before any work (`forbidden` otherwise). */
  private async enterStaff(op: LimitedOperation): Promise<void> {
    await this.session.enter(op, 'user');
    if (!isStaff(this.session.user.role)) throw staffOnly();
  }

  async report(
    room: string,
    messageId: number,
    input: { reason: string; text?: string },
  ): Promise<ReportResult> {
    await this.session.enter('report', 'user');
    const [app, found] = await Promise.all([
      this.host.getApp(this.session.appId),
      this.session.visibleRoom(room),
    ]);
    return this.host.reportQueue.report(app, found, this.session, messageId, input);
  }

  async queue(query: QueueQuery): Promise<QueuePage> {
    await this.enterStaff('reports');
    return this.host.reportQueue.queue(this.session.appId, query);
  }

  async resolve(messageId: number, input: ResolveInput): Promise<QueueEntryView> {
    await this.enterStaff('resolveReport');
    return this.host.reportQueue.resolve(this.session.appId, messageId, input, this.actor);
  }

  async shadowMute(target: string, opts: { minutes?: number; reason?: string }): Promise<ShadowMute> {
    await this.session.enter('shadowMute', 'user');
    return this.host.shadowMutes.mute(this.session.appId, target, opts, this.actor);
  }

  async unshadowMute(target: string): Promise<void> {
    await this.session.enter('unshadowMute', 'user');
    return this.host.shadowMutes.unmute(this.session.appId, target, this.actor);
  }
}
