import { ParleyError } from '../core/errors.js';
import { isActive, type AppId, type User, type UserId } from '../core/types.js';
import type { EngineContext } from './context.js';
import type { EngineEvent } from './events.js';
import { actorRef, assertMayModerate, buildBan, type Actor } from './moderation.js';
import type { Moderator } from './moderator.js';
import type { ShadowMute } from './ports/reportStore.js';
import { refOf } from './views.js';

export const notShadowMuted = () => new ParleyError('not_found', 'User is not shadow-muted');

type ShadowEvent = Extract<EngineEvent, { type: 'shadow_muted' | 'shadow_unmuted' }>;

export interface ShadowMuteDeps {
  findUser(appId: AppId, username: unknown): Promise<User>;
  /** To the app's staff sessions, here and on every other node (whose caches apply it, see `applied`). */
  staffEvent(appId: AppId, event: ShadowEvent): void;
  moderator: Pick<Moderator, 'record'>;
}

/**
 * Shadow mutes: a moderation action by mods and above (and the operator). While one is in force, the user's
 * new messages are stored as 'shadow' (messages.ts asks `isShadowed`): they see them as usual, nobody else
 * but staff does (visibility.ts). Lifting it reveals nothing written meanwhile. Never told to the user: only
 * staff hear `shadow_muted` / `shadow_unmuted`. Each app's are read from storage once and kept current here and
 * from the bus, so that a send costs no query; expiry is checked at every use.
 */
export class ShadowMutes {
  private readonly apps = new Map<AppId, Promise<Map<UserId, ShadowMute>>>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly deps: ShadowMuteDeps,
  ) {}

  private load(appId: AppId): Promise<Map<UserId, ShadowMute>> {
    let entry = this.apps.get(appId);
    if (!entry) {
      entry = this.ctx.store.reports
        .listShadowMutes(appId, this.ctx.clock.now())
        .then((list) => new Map(list.map((m) => [m.userId, m])));
      entry.catch(() => this.apps.delete(appId));
      this.apps.set(appId, entry);
    }
    return entry;
  }

  async isShadowed(appId: AppId, userId: UserId): Promise<boolean> {
    const mute = (await this.load(appId)).get(userId);
    return mute !== undefined && isActive(mute, this.ctx.clock.now());
  }

  async mute(
    appId: AppId,
    username: string,
    opts: { minutes?: number; reason?: string },
    actor: Actor,
  ): Promise<ShadowMute> {
    const target = await this.deps.findUser(appId, username);
    assertMayModerate(actor, target);
    const mute = buildBan(appId, target, opts, actor, this.ctx.clock.now());
    await this.ctx.track(this.ctx.store.reports.putShadowMute(mute));
    const event: ShadowEvent = {
      type: 'shadow_muted',
      user: refOf(target),
      by: actorRef(actor),
      expiresAt: mute.expiresAt,
      reason: mute.reason,
    };
    await this.applied(appId, event, mute);
    this.deps.staffEvent(appId, event);
    await this.deps.moderator.record(appId, 'shadow_mute', actor, target.id, null, {
      expiresAt: mute.expiresAt,
      reason: mute.reason,
    });
    return mute;
  }

  async unmute(appId: AppId, username: string, actor: Actor): Promise<void> {
    const target = await this.deps.findUser(appId, username);
    assertMayModerate(actor, target);
    if (!(await this.ctx.track(this.ctx.store.reports.deleteShadowMute(appId, target.id)))) {
      throw notShadowMuted();
    }
    const event: ShadowEvent = { type: 'shadow_unmuted', user: refOf(target), by: actorRef(actor) };
    await this.applied(appId, event);
    this.deps.staffEvent(appId, event);
    await this.deps.moderator.record(appId, 'unshadow_mute', actor, target.id, null, {});
  }

  /** A change made here or heard from another node; an app whose mutes were never read reads them when used. */
  async applied(appId: AppId, event: ShadowEvent, mute?: ShadowMute): Promise<void> {
    const state = this.apps.get(appId);
    if (!state) return;
    const mutes = await state;
    if (event.type === 'shadow_unmuted') {
      mutes.delete(event.user.id);
      return;
    }
    mutes.set(
      event.user.id,
      mute ?? {
        appId,
        userId: event.user.id,
        expiresAt: event.expiresAt,
        reason: event.reason,
        by: event.by?.id ?? null,
        createdAt: this.ctx.clock.now(),
      },
    );
  }

  /** The user's shadow mute in force, if any (the queue's author summary). */
  async active(appId: AppId, userId: UserId): Promise<ShadowMute | null> {
    const mute = (await this.load(appId)).get(userId);
    return mute !== undefined && isActive(mute, this.ctx.clock.now()) ? mute : null;
  }
}
