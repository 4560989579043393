import { banned, nicknameInUse } from '../core/failures.js';
import { ParleyError } from '../core/errors.js';
import { checkUsername } from '../core/names.js';
import type { Credentials, IssuedToken, Principal } from '../core/identity.js';
import type { AppId, UserId } from '../core/types.js';
import type { App } from '../core/types.js';
import type { Catalog } from './catalog.js';
import type { EngineContext } from './context.js';
import type { GuestReaper } from './guestReaper.js';
import type { ModerationCache } from './moderationCache.js';
import type { Profiles } from './profiles.js';
import type { IdentityProvider } from './ports/identity.js';

/**
 * Who is connecting: credentials checked by the identity provider, then the engine's own rules on top (a
 * banned user is refused, a guest nickname in use is refused). Also accounts and tokens.
 */
export class Identity {
  constructor(
    private readonly ctx: EngineContext,
    private readonly catalog: Catalog,
    private readonly provider: IdentityProvider,
    private readonly moderation: ModerationCache,
    /** Whether the user is connected anywhere in the cluster (a guest nickname is then taken). */
    private readonly isOnline: (appId: AppId, userId: UserId) => boolean,
    private readonly guests: GuestReaper,
    /** Stores the profile a site's JWT claims (profiles.ts). */
    private readonly profiles: Pick<Profiles, 'fromSignIn'>,
  ) {}

  async authenticate(appId: AppId, credentials: Credentials): Promise<Principal> {
    const app = await this.catalog.getApp(appId);
    const principal = await this.signIn(app, credentials);
    const ban = await this.moderation.activeBan(appId, principal.user.id, this.ctx.clock.now());
    if (ban) throw banned(ban.reason);
    if (credentials.kind === 'guest' && this.isOnline(appId, principal.user.id)) {
      // A nickname alone does not prove the guest is the same person.
      throw nicknameInUse();
    }
    return principal;
  }

  /** New credentials for a session that is already admitted: the provider checks them; the session keeps its user. */
  async reauthenticate(appId: AppId, credentials: Credentials): Promise<Principal> {
    return this.signIn(await this.catalog.getApp(appId), credentials);
  }

  /**
   * The provider's answer, with the guest rules around it: a nickname new to the app is admitted by the guest
   * reaper (which holds the app to its `maxGuests`), and a guest is marked seen. A guest removed between the
   * provider's look-up and that mark is signed in once more (a nickname then makes a new guest).
   */
  private async signIn(app: App, credentials: Credentials, retried = false): Promise<Principal> {
    const principal = await this.profiles.fromSignIn(await this.admitted(app, credentials));
    if (principal.user.kind !== 'guest') return principal;
    if (await this.guests.seen(app.id, principal.user.id)) return principal;
    if (retried) throw new ParleyError('unavailable', 'The guest was removed while signing in');
    return this.signIn(app, credentials, true);
  }

  private async admitted(app: App, credentials: Credentials): Promise<Principal> {
    // Guests turned off: the provider refuses, and no guest is removed for a guest that cannot come in.
    if (credentials.kind !== 'guest' || !app.settings.allowGuests) {
      return this.provider.authenticate(app, credentials);
    }
    // Checked here as the provider would, so that a malformed nickname is never looked up.
    const nickname = checkUsername(credentials.nickname);
    if (await this.ctx.store.directory.findUserByName(app.id, nickname)) {
      return this.provider.authenticate(app, credentials);
    }
    return this.guests.admit(app, () => this.provider.authenticate(app, credentials));
  }

  async register(appId: AppId, username: string, password: string): Promise<IssuedToken> {
    return this.provider.register(await this.catalog.getApp(appId), username, password);
  }

  async login(appId: AppId, username: string, password: string): Promise<IssuedToken> {
    const issued = await this.provider.login(await this.catalog.getApp(appId), username, password);
    const ban = await this.moderation.activeBan(appId, issued.user.id, this.ctx.clock.now());
    if (ban) throw banned();
    return issued;
  }

  async issueToken(appId: AppId, username: string, ttlSeconds?: number): Promise<IssuedToken> {
    return this.provider.issueToken(await this.catalog.getApp(appId), username, ttlSeconds);
  }

  hashPassword(password: string): Promise<string> {
    return this.provider.hashPassword(password);
  }
}
