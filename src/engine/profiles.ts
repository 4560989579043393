import { guestsHaveNoProfile, profilesLocked, userNotFound } from '../core/failures.js';
import type { Principal } from '../core/identity.js';
import { changesProfile, checkProfilePatch, type ProfilePatch } from '../core/profiles.js';
import type { AppId, User, UserId, UserRef } from '../core/types.js';
import type { Catalog } from './catalog.js';
import type { EngineContext } from './context.js';
import type { EngineEvent } from './events.js';
import type { Subscriber } from './roomChannel.js';
import { refOf } from './views.js';

/** What the profiles part needs of the others. */
export interface ProfileDeps {
  catalog: Pick<Catalog, 'getApp' | 'getUser' | 'findUser'>;
  /** Publishes a change: applied here (through `applied`) and on every other node. */
  profileChanged(appId: AppId, user: UserRef): void;
  /** The user's sessions on this node, after they took the profile. */
  applyToSessions(appId: AppId, user: UserRef): readonly { deliverDirect(event: EngineEvent): void }[];
  /** The rooms, by id, where the user is present anywhere in the cluster, after presence took the profile. */
  applyToPresence(appId: AppId, user: UserRef): number[];
  /** Those of this node's sessions in the room. */
  roomSubscribers(roomId: number): Iterable<Subscriber>;
}

/**
 * Users' profiles (core/profiles.ts): set by the user (`profile.set`, where the app's `usersSetProfile` allows
 * it; never by a guest), by the operator, or from a site's JWT at sign-in. A change is stored, then told on
 * every node: the user's sessions there send with it from then on, presence shows it, and `profile_changed`
 * goes to the user's own sessions and to the sessions in the rooms where the user is.
 */
export class Profiles {
  constructor(
    private readonly ctx: EngineContext,
    private readonly deps: ProfileDeps,
  ) {}

  /** The user sets their own profile. */
  async setOwn(appId: AppId, userId: UserId, input: unknown): Promise<UserRef> {
    const [app, user] = await Promise.all([
      this.deps.catalog.getApp(appId),
      this.deps.catalog.getUser(appId, userId),
    ]);
    if (!user) throw userNotFound();
    if (user.kind === 'guest' || user.role === 'guest') throw guestsHaveNoProfile();
    if (!app.settings.usersSetProfile) throw profilesLocked();
    return refOf(await this.apply(user, checkProfilePatch(input)));
  }

  /** The operator sets a user's profile (guests included). */
  async setByOperator(appId: AppId, username: string, input: unknown): Promise<User> {
    const patch = checkProfilePatch(input);
    return this.apply(await this.deps.catalog.findUser(appId, username), patch);
  }

  /**
   * A site's JWT named the user's profile (`name`, `picture`): the valid claims are stored; the others are
   * ignored (a site's mistake must not lock its users out), and logged.
   */
  async fromSignIn(principal: Principal): Promise<Principal> {
    const { claimedProfile: claimed, ...signedIn } = principal;
    if (!claimed) return principal;
    if (claimed.rejected.length > 0) {
      this.ctx.logger.debug(
        { appId: principal.appId, userId: principal.user.id, claims: claimed.rejected },
        'invalid profile claims ignored',
      );
    }
    return { ...signedIn, user: await this.apply(principal.user, claimed.patch) };
  }

  private async apply(user: User, patch: ProfilePatch): Promise<User> {
    const current = { displayName: user.displayName ?? null, avatarUrl: user.avatarUrl ?? null };
    if (!changesProfile(current, patch)) return user;
    const updated = await this.ctx.store.profiles.setProfile(user.appId, user.id, patch);
    this.deps.profileChanged(user.appId, refOf(updated));
    return updated;
  }

  /**
   * A change made here or on another node: this node's sessions and presence take it, and each session that
   * should hear of it hears `profile_changed` once (the user's own, then those in a room where the user is).
   */
  applied(appId: AppId, user: UserRef): void {
    const event: EngineEvent = { type: 'profile_changed', user };
    const own = this.deps.applyToSessions(appId, user);
    for (const session of own) session.deliverDirect(event);
    const told = new Set<unknown>(own);
    for (const roomId of this.deps.applyToPresence(appId, user)) {
      for (const subscriber of this.deps.roomSubscribers(roomId)) {
        if (told.has(subscriber)) continue;
        told.add(subscriber);
        subscriber.deliverRoomEvent(roomId, event);
      }
    }
  }
}
