import { refOf } from './views.js';
import { banned, nicknameInUse } from '../core/failures.js';
import { ParleyError } from '../core/errors.js';
import { verificationFailed } from '../core/guestVerification.js';
import { checkUsername } from '../core/names.js';
import type { Credentials, IssuedToken, Principal } from '../core/identity.js';
import type { AppId, UserId, UserRef } from '../core/types.js';
import type { App } from '../core/types.js';
import type { UpgradeRequest, UpgradeResult } from './api.js';
import type { Catalog } from './catalog.js';
import type { EngineContext } from './context.js';
import type { GuestReaper } from './guestReaper.js';
import type { ModerationCache } from './moderationCache.js';
import type { Profiles } from './profiles.js';
import type { Counters } from './ports/counters.js';
import type { GuestVerifier } from './ports/guestVerifier.js';
import type { IdentityProvider } from './ports/identity.js';
import { SignInGuard } from './signInGuard.js';
import type { WebhookEvents } from './webhookEvents.js';

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
    counters: Counters,
    /** Asks the app's verification service about a new guest's token (ports/guestVerifier.ts). */
    private readonly verifier: GuestVerifier,
  ) {
    this.guard = new SignInGuard(ctx.clock, counters);
  }

  private readonly guard: SignInGuard;

  /** The user of an HTTP request's bearer token: a site JWT (three dot-separated parts) or an access token. */
  async userOfBearer(appId: AppId, token: string): Promise<UserRef> {
    const credentials: Credentials =
      token.split('.').length === 3 ? { kind: 'jwt', jwt: token } : { kind: 'token', token };
    return refOf((await this.authenticate(appId, credentials)).user);
  }

  async authenticate(appId: AppId, credentials: Credentials, address?: string): Promise<Principal> {
    const app = await this.catalog.getApp(appId);
    const principal = await this.signIn(app, credentials, address);
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
    return this.signIn(await this.catalog.getApp(appId), credentials, undefined);
  }

  /**
   * The provider's answer, with the guest rules around it: a nickname new to the app is admitted by the guest
   * reaper (which holds the app to its `maxGuests`), and a guest is marked seen. A guest removed between the
   * provider's look-up and that mark is signed in once more (a nickname then makes a new guest).
   */
  private async signIn(
    app: App,
    credentials: Credentials,
    address: string | undefined,
    retried = false,
  ): Promise<Principal> {
    const principal = await this.profiles.fromSignIn(await this.admitted(app, credentials, address));
    if (principal.user.kind !== 'guest') return principal;
    if (await this.guests.seen(app.id, principal.user.id)) return principal;
    if (retried) throw new ParleyError('unavailable', 'The guest was removed while signing in');
    return this.signIn(app, credentials, address, true);
  }

  private async admitted(
    app: App,
    credentials: Credentials,
    address: string | undefined,
  ): Promise<Principal> {
    if (credentials.kind === 'password') {
      return this.guard.password(app, credentials.username, address, () =>
        this.provider.authenticate(app, credentials),
      );
    }
    // Guests turned off: the provider refuses, and no guest is removed for a guest that cannot come in.
    if (credentials.kind !== 'guest' || !app.settings.allowGuests) {
      return this.provider.authenticate(app, credentials);
    }
    // Checked here as the provider would, so that a malformed nickname is never looked up.
    const nickname = checkUsername(credentials.nickname);
    if (await this.ctx.store.directory.findUserByName(app.id, nickname)) {
      return this.provider.authenticate(app, credentials);
    }
    // Verified after the per-address limit, so that a flood of new nicknames does not reach the service.
    return this.guard.newGuest(app, address, async () => {
      await this.verifyNewGuest(app, credentials.verification, address);
      return this.guests.admit(app, () => this.provider.authenticate(app, credentials));
    });
  }

  /** A new guest of an app with `guestVerification` comes in only with a token its service accepts. */
  private async verifyNewGuest(
    app: App,
    token: string | undefined,
    address: string | undefined,
  ): Promise<void> {
    const setting = app.settings.guestVerification;
    if (setting === null) return;
    if (token === undefined || token === '') {
      throw verificationFailed(setting, 'This app asks new guests for a verification token');
    }
    const outcome = await this.verifier.verify(setting, token, address);
    if (outcome.ok) return;
    this.ctx.logger.info({ appId: app.id, reason: outcome.reason }, 'guest verification refused');
    throw verificationFailed(setting, outcome.reason);
  }

  /**
   * The user a guest upgrades to (upgrade.ts), banned ones refused. A username and password sign in as the
   * REST login does, or register as the REST register does, and give a token to reconnect with.
   */
  async upgrade(appId: AppId, request: UpgradeRequest): Promise<UpgradeResult> {
    if (request.kind === 'password') {
      const { username, password } = request;
      const issued =
        request.register === true
          ? await this.register(appId, username, password)
          : await this.login(appId, username, password);
      const principal: Principal = {
        appId,
        user: issued.user,
        expiresAt: null,
        via: 'password',
        tokenId: issued.tokenId,
      };
      return { principal, token: issued.token };
    }
    const principal = await this.provider.authenticate(await this.catalog.getApp(appId), request);
    const ban = await this.moderation.activeBan(appId, principal.user.id, this.ctx.clock.now());
    if (ban) throw banned(ban.reason);
    return { principal };
  }

  /** `user.created` for each account registered, written in the account's transaction. */
  events: Pick<WebhookEvents, 'userCreated' | 'queued'> | null = null;

  async register(appId: AppId, username: string, password: string, address?: string): Promise<IssuedToken> {
    const app = await this.catalog.getApp(appId);
    const outbox = await this.events?.userCreated(appId);
    const issued = await this.guard.registration(app, address, () =>
      this.provider.register(app, username, password, outbox),
    );
    if (outbox) this.events?.queued();
    return issued;
  }

  async login(appId: AppId, username: string, password: string, address?: string): Promise<IssuedToken> {
    const app = await this.catalog.getApp(appId);
    const issued = await this.guard.password(app, username, address, () =>
      this.provider.login(app, username, password),
    );
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
