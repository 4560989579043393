import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { notBanned, notMuted } from '../core/failures.js';
import type { AppId, Ban, ModerationKind, Mute, Room, User } from '../core/types.js';
import type { Directory } from './ports/store.js';
import type { MuteOptions } from './api.js';
import type { EngineEvent } from './events.js';
import type { ModerationCache } from './moderationCache.js';
import { checkReason } from '../core/moderation.js';
import { actorRef, assertMayModerate, buildBan, buildMute, type Actor } from './moderation.js';
import { refOf, toRoomRef } from './views.js';
import type { WebhookEvents } from './webhookEvents.js';

/** setTimeout cannot wait longer than this; a mute ending later is still enforced by its expiry check. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What the moderator needs from the engine. */
export interface ModeratorHost {
  readonly clock: Clock;
  readonly logger: Logger;
  findUser(appId: AppId, username: unknown): Promise<User>;
  findRoom(appId: AppId, name: unknown): Promise<Room>;
  track<T>(promise: Promise<T>): Promise<T>;
  roomEvent(room: Room, event: EngineEvent): void;
  appEvent(appId: AppId, event: EngineEvent): void;
  /** Ends the user's connections on this node and on every other. */
  disconnectEverywhere(appId: AppId, userId: number, reason: 'kicked' | 'banned'): void;
  /** `moderation.<kind>`, written in the record's transaction. */
  events?: Pick<WebhookEvents, 'moderation' | 'queued'>;
}

/**
 * Mute, unmute, ban, unban and kick, for sessions (an acting user, held to the role order) and for the admin
 * API (the operator). Each action is stored, applied to the cache, announced and recorded.
 */
export class Moderator {
  private readonly expiryTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly host: ModeratorHost,
    private readonly directory: Directory,
    private readonly cache: ModerationCache,
  ) {}

  async mute(appId: AppId, username: string, opts: MuteOptions, actor: Actor): Promise<Mute> {
    const target = await this.host.findUser(appId, username);
    assertMayModerate(actor, target);
    const room = opts.room === undefined ? null : await this.host.findRoom(appId, opts.room);
    const now = this.host.clock.now();
    const mute = buildMute(appId, target, room, opts, actor, now);
    await this.host.track(this.directory.putMute(mute));
    await this.cache.applyMute(mute);
    const minutes = mute.expiresAt === null ? null : Math.round((mute.expiresAt - now) / 60_000);
    const event: EngineEvent = {
      type: 'muted',
      room: room ? toRoomRef(room) : null,
      user: refOf(target),
      by: actorRef(actor),
      minutes,
      expiresAt: mute.expiresAt,
      reason: mute.reason,
    };
    if (room) this.host.roomEvent(room, event);
    else this.host.appEvent(appId, event);
    await this.record(appId, 'mute', actor, target.id, room?.id ?? null, { minutes, reason: mute.reason });
    this.scheduleUnmute(mute, target, room);
    return mute;
  }

  /** Tells everyone when a mute runs out; the mute stops applying at its expiry whether or not this fires. */
  private scheduleUnmute(mute: Mute, target: User, room: Room | null): void {
    if (mute.expiresAt === null) return;
    const delay = mute.expiresAt - this.host.clock.now();
    if (delay > MAX_TIMER_MS) return;
    const timer = setTimeout(
      () => {
        this.expiryTimers.delete(timer);
        void (async () => {
          const active = await this.cache.activeMute(
            mute.appId,
            target.id,
            room?.id ?? -1,
            this.host.clock.now(),
          );
          if (active && active.roomId === mute.roomId) return;
          await this.cache.applyUnmute(mute.appId, target.id, mute.roomId);
          const event: EngineEvent = {
            type: 'unmuted',
            room: room ? toRoomRef(room) : null,
            user: refOf(target),
            by: null,
          };
          if (room) this.host.roomEvent(room, event);
          else this.host.appEvent(mute.appId, event);
        })().catch((err: unknown) => this.host.logger.error({ err }, 'mute expiry failed'));
      },
      Math.max(0, delay),
    );
    timer.unref();
    this.expiryTimers.add(timer);
  }

  async unmute(appId: AppId, username: string, opts: { room?: string }, actor: Actor) {
    const target = await this.host.findUser(appId, username);
    assertMayModerate(actor, target);
    const room = opts.room === undefined ? null : await this.host.findRoom(appId, opts.room);
    const existed = await this.host.track(this.directory.deleteMute(appId, target.id, room?.id ?? null));
    if (!existed) throw notMuted();
    await this.cache.applyUnmute(appId, target.id, room?.id ?? null);
    const event: EngineEvent = {
      type: 'unmuted',
      room: room ? toRoomRef(room) : null,
      user: refOf(target),
      by: actorRef(actor),
    };
    if (room) this.host.roomEvent(room, event);
    else this.host.appEvent(appId, event);
    await this.record(appId, 'unmute', actor, target.id, room?.id ?? null, {});
  }

  async ban(
    appId: AppId,
    username: string,
    opts: { minutes?: number; reason?: string },
    actor: Actor,
  ): Promise<Ban> {
    const target = await this.host.findUser(appId, username);
    assertMayModerate(actor, target);
    const ban = buildBan(appId, target, opts, actor, this.host.clock.now());
    await this.host.track(this.directory.putBan(ban));
    await this.cache.applyBan(ban);
    this.host.appEvent(appId, {
      type: 'banned',
      user: refOf(target),
      by: actorRef(actor),
      expiresAt: ban.expiresAt,
      reason: ban.reason,
    });
    this.host.disconnectEverywhere(appId, target.id, 'banned');
    await this.record(appId, 'ban', actor, target.id, null, { expiresAt: ban.expiresAt, reason: ban.reason });
    return ban;
  }

  async unban(appId: AppId, username: string, actor: Actor): Promise<void> {
    const target = await this.host.findUser(appId, username);
    assertMayModerate(actor, target);
    const existed = await this.host.track(this.directory.deleteBan(appId, target.id));
    if (!existed) throw notBanned();
    await this.cache.applyUnban(appId, target.id);
    this.host.appEvent(appId, { type: 'unbanned', user: refOf(target), by: actorRef(actor) });
    await this.record(appId, 'unban', actor, target.id, null, {});
  }

  async kick(appId: AppId, username: string, opts: { reason?: string }, actor: Actor): Promise<void> {
    const target = await this.host.findUser(appId, username);
    assertMayModerate(actor, target);
    const reason = checkReason(opts.reason);
    this.host.appEvent(appId, { type: 'kicked', user: refOf(target), by: actorRef(actor), reason });
    this.host.disconnectEverywhere(appId, target.id, 'kicked');
    await this.record(appId, 'kick', actor, target.id, null, { reason });
  }

  async record(
    appId: AppId,
    kind: ModerationKind,
    actor: Actor,
    targetId: number | null,
    roomId: number | null,
    detail: Record<string, unknown>,
  ): Promise<void> {
    const entry = {
      appId,
      kind,
      actorId: actor.kind === 'user' ? actor.user.id : null,
      targetId,
      roomId,
      detail,
      createdAt: this.host.clock.now(),
    };
    const outbox = await this.host.events?.moderation(entry);
    await this.host.track(this.directory.recordModeration(entry, outbox));
    if (outbox) this.host.events?.queued();
  }

  /** Stops the timers that announce expiries (shutdown). */
  stop(): void {
    for (const timer of this.expiryTimers) clearTimeout(timer);
    this.expiryTimers.clear();
  }
}
