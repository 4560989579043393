import { ParleyError } from '../core/errors.js';
import type { AppId, UserId } from '../core/types.js';
import type { RevokedUser, TokenView } from './api.js';
import type { Broadcast } from './broadcast.js';
import type { Catalog } from './catalog.js';
import type { EngineContext } from './context.js';
import type { AccessTokenRecord } from './ports/store.js';
import { refOf } from './views.js';

/** The most tokens listed for one user (guests get one per visit; the list is for finding one to revoke). */
export const TOKENS_LIST_MAX = 100;

function view(record: AccessTokenRecord): TokenView {
  return { id: record.id, createdAt: record.createdAt, expiresAt: record.expiresAt };
}

/**
 * The operator takes access back: one access token, or everything a user holds. A revoked token is deleted from
 * the store, so it never authenticates again; a revoked user's site JWTs issued before the revocation are refused
 * (the identity provider reads the user's "not before"). The sessions signed in with what was revoked are
 * closed with `revoked` (4011) on every node, at once.
 */
export class Revocation {
  constructor(
    private readonly ctx: EngineContext,
    private readonly catalog: Pick<Catalog, 'getApp' | 'findUser'>,
    private readonly broadcast: Pick<Broadcast, 'disconnectUser' | 'tokenRevoked'>,
  ) {}

  /** The user's tokens that have not expired, newest first (at most TOKENS_LIST_MAX): ids, never secrets. */
  async listTokens(appId: AppId, username: string): Promise<TokenView[]> {
    await this.catalog.getApp(appId);
    const user = await this.catalog.findUser(appId, username);
    const now = this.ctx.clock.now();
    const records = await this.ctx.store.tokens.listForUser(appId, user.id, { now, limit: TOKENS_LIST_MAX });
    return records.map(view);
  }

  /** Deletes the token and closes the sessions signed in with it; `not_found` when the app has no such token. */
  async revokeToken(appId: AppId, tokenId: string): Promise<TokenView> {
    await this.catalog.getApp(appId);
    const record = await this.ctx.store.tokens.revoke(appId, tokenId);
    if (!record) throw new ParleyError('not_found', 'No such token', { tokenId });
    this.broadcast.tokenRevoked(appId, record.userId, record.id);
    return view(record);
  }

  /**
   * Deletes every token of the user, refuses the user's site JWTs issued before now, and closes every session
   * of the user (whatever it signed in with: a password or a guest nickname can sign in again).
   */
  async revokeUser(appId: AppId, username: string): Promise<RevokedUser> {
    await this.catalog.getApp(appId);
    const user = await this.catalog.findUser(appId, username);
    const notBefore = this.ctx.clock.now();
    const tokens = await this.ctx.store.tokens.revokeUser(appId, user.id, notBefore);
    this.disconnect(appId, user.id);
    return { user: refOf(user), tokens, notBefore };
  }

  private disconnect(appId: AppId, userId: UserId): void {
    this.broadcast.disconnectUser(appId, userId, 'revoked');
  }
}
