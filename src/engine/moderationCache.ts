import { muted } from '../core/failures.js';
import { isStaff } from '../core/roles.js';
import {
  isActive,
  type AppId,
  type Ban,
  type Mute,
  type RoomId,
  type UserId,
  type UserRef,
} from '../core/types.js';
import { describeDuration } from './moderation.js';
import type { Directory } from './ports/store.js';

interface AppModeration {
  mutes: Map<UserId, Mute[]>;
  bans: Map<UserId, Ban>;
}

/**
 * Mutes and bans of each app, read from storage once and then kept current by the engine (locally and from
 * the bus), so that a send does not cost a query. Expiry is checked against `now` at every use: a mute whose
 * time has passed stops applying even if nobody removed it.
 */
export class ModerationCache {
  private readonly apps = new Map<AppId, Promise<AppModeration>>();

  constructor(private readonly directory: Directory) {}

  private load(appId: AppId, now: number): Promise<AppModeration> {
    let entry = this.apps.get(appId);
    if (!entry) {
      entry = (async () => {
        const [mutes, bans] = await Promise.all([
          this.directory.listMutes(appId, now),
          this.directory.listBans(appId, now),
        ]);
        const state: AppModeration = { mutes: new Map(), bans: new Map() };
        for (const mute of mutes) addMute(state, mute);
        for (const ban of bans) state.bans.set(ban.userId, ban);
        return state;
      })();
      entry.catch(() => this.apps.delete(appId));
      this.apps.set(appId, entry);
    }
    return entry;
  }

  async activeMute(appId: AppId, userId: UserId, roomId: RoomId, now: number): Promise<Mute | null> {
    const state = await this.load(appId, now);
    const list = state.mutes.get(userId) ?? [];
    return list.find((m) => (m.roomId === null || m.roomId === roomId) && isActive(m, now)) ?? null;
  }

  /** Refuses a write by a muted user (`muted`, with how long); staff are never held by a mute. */
  async refuseMuted(appId: AppId, user: UserRef, roomId: RoomId, now: number): Promise<void> {
    if (isStaff(user.role)) return;
    const mute = await this.activeMute(appId, user.id, roomId, now);
    if (mute) throw muted(describeDuration(mute.expiresAt, now), mute.expiresAt);
  }

  async activeBan(appId: AppId, userId: UserId, now: number): Promise<Ban | null> {
    const state = await this.load(appId, now);
    const ban = state.bans.get(userId);
    return ban && isActive(ban, now) ? ban : null;
  }

  async mutes(appId: AppId, now: number): Promise<Mute[]> {
    const state = await this.load(appId, now);
    return [...state.mutes.values()].flat().filter((m) => isActive(m, now));
  }

  /** Applies a change made here or on another node; a cache not loaded yet will read it from storage. */
  async applyMute(mute: Mute): Promise<void> {
    const state = await this.apps.get(mute.appId);
    if (state) addMute(state, mute);
  }

  async applyUnmute(appId: AppId, userId: UserId, roomId: RoomId | null): Promise<void> {
    const state = await this.apps.get(appId);
    if (!state) return;
    const rest = (state.mutes.get(userId) ?? []).filter((m) => m.roomId !== roomId);
    if (rest.length > 0) state.mutes.set(userId, rest);
    else state.mutes.delete(userId);
  }

  async applyBan(ban: Ban): Promise<void> {
    const state = await this.apps.get(ban.appId);
    if (state) state.bans.set(ban.userId, ban);
  }

  async applyUnban(appId: AppId, userId: UserId): Promise<void> {
    const state = await this.apps.get(appId);
    state?.bans.delete(userId);
  }
}

function addMute(state: AppModeration, mute: Mute): void {
  const rest = (state.mutes.get(mute.userId) ?? []).filter((m) => m.roomId !== mute.roomId);
  rest.push(mute);
  state.mutes.set(mute.userId, rest);
}
