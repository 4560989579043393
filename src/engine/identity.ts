import { banned, nicknameInUse } from '../core/failures.js';
import type { Credentials, IssuedToken, Principal } from '../core/identity.js';
import type { AppId, UserId } from '../core/types.js';
import type { Catalog } from './catalog.js';
import type { EngineContext } from './context.js';
import type { ModerationCache } from './moderationCache.js';
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
  ) {}

  async authenticate(appId: AppId, credentials: Credentials): Promise<Principal> {
    const app = await this.catalog.getApp(appId);
    const principal = await this.provider.authenticate(app, credentials);
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
    return this.provider.authenticate(await this.catalog.getApp(appId), credentials);
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
