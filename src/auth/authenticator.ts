import { randomBytes } from 'node:crypto';
import { BOT_KEY_PREFIX } from '../core/bots.js';
import type { Clock } from '../core/clock.js';
import { ParleyError, isParleyError } from '../core/errors.js';
import { checkPassword, checkUsername } from '../core/names.js';
import type { Role } from '../core/roles.js';
import { isActive, type App, type User, type UserKind } from '../core/types.js';
import type { Credentials, IssuedToken, Principal } from '../core/identity.js';
import type { IdentityProvider } from '../engine/ports/identity.js';
import type { Directory } from '../engine/ports/store.js';
import type { TokenStore } from '../engine/ports/tokenStore.js';
import type { EventOutbox } from '../engine/ports/webhookStore.js';
import { verifySiteJwt } from './jwt.js';
import { hashPassword, needsRehash, verifyPassword } from './passwords.js';
import { generateAccessToken, generateTokenId, isSha256Hex, looksLikeJwt, sha256Hex } from './tokens.js';

export interface AuthenticatorOptions {
  directory: Directory;
  clock: Clock;
  /** Default lifetime of tokens from register, login and issueToken; 0 for no expiry. */
  tokenTtlSeconds: number;
  /** Lifetime of a guest's resume token; 0 for no expiry. */
  guestTokenTtlSeconds: number;
  /**
   * Users' "not before" times (engine/revocation.ts): a site JWT issued before its user's is refused. Without
   * it, JWTs are not checked against revocations.
   */
  revocations?: Pick<TokenStore, 'notBefore'>;
}

/** Longest TTL a caller may ask issueToken for (ten years). */
const MAX_TTL_SECONDS = 10 * 365 * 24 * 3600;
/** Longer secrets are refused without hashing them: they cannot be valid and would only cost CPU. */
const MAX_SECRET_LENGTH = 1024;

/** One message for every failed password check, so that it does not tell which usernames exist. */
const BAD_LOGIN = 'Invalid username or password';

function fail(message?: string): ParleyError {
  return new ParleyError('unauthorized', message);
}

function checkTtl(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_TTL_SECONDS) {
    throw new ParleyError(
      'bad_request',
      `${field} must be a whole number of seconds from 0 to ${MAX_TTL_SECONDS}`,
      {
        field,
      },
    );
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Who is connecting: turns credentials into a Principal, and issues Parley's own opaque access tokens.
 * Tokens are stored only as their sha256; raw tokens and passwords never reach logs or error messages.
 */
export class Authenticator implements IdentityProvider {
  private readonly directory: Directory;
  private readonly clock: Clock;
  private readonly tokenTtlSeconds: number;
  private readonly guestTokenTtlSeconds: number;
  private readonly revocations: Pick<TokenStore, 'notBefore'> | null;
  /** A hash of a random password, verified against when there is no real hash so that timing stays the same. */
  private dummyHash: Promise<string> | null = null;

  constructor(options: AuthenticatorOptions) {
    this.directory = options.directory;
    this.clock = options.clock;
    this.tokenTtlSeconds = checkTtl(options.tokenTtlSeconds, 'tokenTtlSeconds');
    this.guestTokenTtlSeconds = checkTtl(options.guestTokenTtlSeconds, 'guestTokenTtlSeconds');
    this.revocations = options.revocations ?? null;
  }

  hashPassword(password: string): Promise<string> {
    return hashPassword(checkPassword(password));
  }

  /** Self-registration of an account with a password; the new account gets a token at once. */
  async register(
    app: App,
    username: string,
    password: string,
    outbox?: EventOutbox<User>,
  ): Promise<IssuedToken> {
    if (!app.settings.allowAccounts) throw new ParleyError('accounts_disabled');
    const name = checkUsername(username);
    const pw = checkPassword(password);
    // Cheap early answer for a taken name; createUser still decides under concurrency.
    if (await this.directory.findUserByName(app.id, name)) throw this.nameTaken();
    const passwordHash = await hashPassword(pw);
    let user: User;
    try {
      user = await this.directory.createUser(
        app.id,
        { username: name, role: 'member', kind: 'account', passwordHash },
        this.clock.now(),
        outbox,
      );
    } catch (err) {
      if (isParleyError(err) && err.code === 'conflict') throw this.nameTaken();
      throw err;
    }
    return this.issueFor(app, user, this.tokenTtlSeconds);
  }

  /** Password login; a wrong username and a wrong password fail alike. */
  async login(app: App, username: string, password: string): Promise<IssuedToken> {
    const user = await this.checkPasswordLogin(app, username, password);
    return this.issueFor(app, user, this.tokenTtlSeconds);
  }

  /**
   * A token for a site's backend (the caller has proven the admin key): the user is created as an external
   * member when it does not exist yet. `ttlSeconds` 0 means no expiry; absent, the configured default.
   */
  async issueToken(app: App, username: string, ttlSeconds?: number): Promise<IssuedToken> {
    const name = checkUsername(username);
    const ttl = ttlSeconds === undefined ? this.tokenTtlSeconds : checkTtl(ttlSeconds, 'ttlSeconds');
    const user = await this.findOrCreate(app, name, 'external', 'member');
    if (user.kind === 'guest') {
      // A guest name is claimed by nickname alone; tying a site's user to it would share that identity.
      throw new ParleyError('conflict', 'username belongs to a guest');
    }
    return this.issueFor(app, user, ttl);
  }

  async authenticate(app: App, credentials: Credentials): Promise<Principal> {
    const input: unknown = credentials;
    if (!isRecord(input) || typeof input['kind'] !== 'string') {
      throw new ParleyError('bad_request', 'credentials must be an object with a kind', { field: 'kind' });
    }
    switch (input['kind']) {
      case 'token':
        return this.byToken(app, input['token']);
      case 'token_hash':
        return this.byTokenHash(app, input['hash']);
      case 'jwt':
        return this.byJwt(app, input['jwt']);
      case 'password':
        return this.byPassword(app, input['username'], input['password']);
      case 'guest':
        return this.asGuest(app, input['nickname']);
      case 'api_key':
        return this.byApiKey(app, input['apiKey']);
      default:
        throw new ParleyError('bad_request', 'unknown credentials kind', { field: 'kind' });
    }
  }

  // --- credentials ---------------------------------------------------------------------------------------

  private async byToken(app: App, token: unknown): Promise<Principal> {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_SECRET_LENGTH) throw fail();
    if (looksLikeJwt(token)) return this.byJwt(app, token);
    return this.byHash(app, sha256Hex(token), 'token');
  }

  /** A bot's key: an access token of a user of kind `bot` (any other user's token is refused here). */
  private async byApiKey(app: App, apiKey: unknown): Promise<Principal> {
    if (typeof apiKey !== 'string' || apiKey.length === 0 || apiKey.length > MAX_SECRET_LENGTH) throw fail();
    const principal = await this.byHash(app, sha256Hex(apiKey), 'api_key');
    if (principal.user.kind !== 'bot') throw fail();
    return principal;
  }

  /** A bot's key: shown once, stored as its sha256 like an access token, without expiry. */
  async issueApiKey(app: App, user: User): Promise<IssuedToken> {
    const token = BOT_KEY_PREFIX + randomBytes(32).toString('base64url');
    const tokenId = generateTokenId();
    const now = this.clock.now();
    await this.directory.putAccessToken({
      hash: sha256Hex(token),
      id: tokenId,
      appId: app.id,
      userId: user.id,
      expiresAt: null,
      createdAt: now,
    });
    return { token, tokenId, expiresAt: null, user };
  }

  private async byTokenHash(app: App, hash: unknown): Promise<Principal> {
    const normalized = typeof hash === 'string' ? hash.toLowerCase() : hash;
    if (!isSha256Hex(normalized)) throw fail();
    return this.byHash(app, normalized, 'token_hash');
  }

  private async byHash(app: App, hash: string, via: 'token' | 'token_hash' | 'api_key'): Promise<Principal> {
    const record = await this.directory.getAccessToken(hash);
    // A token of another app is treated as unknown: it says nothing about this one.
    if (!record || record.appId !== app.id) throw fail();
    if (!isActive(record, this.clock.now())) throw new ParleyError('credentials_expired');
    const user = await this.directory.getUser(app.id, record.userId);
    if (!user) throw fail();
    if (user.kind === 'guest') {
      // A returning guest gets a fresh resume token, so that a regular visitor never has to fall back on the
      // bare nickname; like a nickname session, a guest session itself does not expire.
      const renewed = await this.issueFor(app, user, this.guestTokenTtlSeconds);
      return { appId: app.id, user, expiresAt: null, via, resumeToken: renewed.token, tokenId: record.id };
    }
    return { appId: app.id, user, expiresAt: record.expiresAt, via, tokenId: record.id };
  }

  private async byJwt(app: App, jwt: unknown): Promise<Principal> {
    const settings = app.settings.jwt;
    if (!settings) throw fail('This app does not accept JWTs');
    if (typeof jwt !== 'string') throw fail();
    const claims = await verifySiteJwt(jwt, settings, this.clock.now());
    let user = await this.findOrCreate(app, claims.username, 'external', claims.role);
    // Only users that came from the site may be signed in by it: never an account with a password, never a guest.
    if (user.kind !== 'external') throw fail('The username belongs to another user');
    await this.checkNotRevoked(app, user, claims.issuedAt ?? null);
    if (user.role !== claims.role) user = await this.directory.setUserRole(app.id, user.id, claims.role);
    const principal: Principal = { appId: app.id, user, expiresAt: claims.expiresAt, via: 'jwt' };
    if (claims.profile) principal.claimedProfile = claims.profile;
    return principal;
  }

  private async byPassword(app: App, username: unknown, password: unknown): Promise<Principal> {
    const user = await this.checkPasswordLogin(app, username, password);
    return { appId: app.id, user, expiresAt: null, via: 'password' };
  }

  private async asGuest(app: App, nickname: unknown): Promise<Principal> {
    if (!app.settings.allowGuests) throw new ParleyError('guests_disabled');
    const name = checkUsername(nickname);
    const user = await this.findOrCreate(app, name, 'guest', 'guest');
    // A nickname proves nothing: it may only stand for a plain guest. A guest whose role was raised has to come
    // back with its resume token.
    if (user.kind !== 'guest' || user.role !== 'guest')
      throw new ParleyError('conflict', 'nickname is taken');
    const issued = await this.issueFor(app, user, this.guestTokenTtlSeconds);
    // The nickname itself does not expire; the resume token's expiry is the token's own business.
    return { appId: app.id, user, expiresAt: null, via: 'guest', resumeToken: issued.token };
  }

  // --- helpers -------------------------------------------------------------------------------------------

  /**
   * A JWT issued before its user's access was revoked is refused; so is one without `iat` once the user's access
   * has been revoked, as it cannot show when it was issued.
   */
  private async checkNotRevoked(app: App, user: User, issuedAt: number | null): Promise<void> {
    const notBefore = this.revocations ? await this.revocations.notBefore(app.id, user.id) : null;
    if (notBefore === null) return;
    if (issuedAt === null || issuedAt < notBefore) throw fail('Access was revoked');
  }

  private async checkPasswordLogin(app: App, username: unknown, password: unknown): Promise<User> {
    if (typeof username !== 'string') {
      throw new ParleyError('bad_request', 'username must be a string', { field: 'username' });
    }
    if (typeof password !== 'string') {
      throw new ParleyError('bad_request', 'password must be a string', { field: 'password' });
    }
    if (username.length > MAX_SECRET_LENGTH || password.length === 0 || password.length > MAX_SECRET_LENGTH) {
      throw fail(BAD_LOGIN);
    }
    const user = await this.directory.findUserByName(app.id, username);
    const stored =
      user && user.kind !== 'guest' ? await this.directory.getPasswordHash(app.id, user.id) : null;
    if (!user || stored === null) {
      // Spend the same time as a real check so that response times do not reveal which names exist.
      await verifyPassword(password, await this.getDummyHash());
      throw fail(BAD_LOGIN);
    }
    if (!(await verifyPassword(password, stored))) throw fail(BAD_LOGIN);
    if (needsRehash(stored)) {
      // Best effort: a failure here must not fail a correct login.
      await hashPassword(password)
        .then((hash) => this.directory.setPasswordHash(app.id, user.id, hash))
        .catch(() => undefined);
    }
    return user;
  }

  /** Stores the token's sha256 only; the raw token exists only in the returned value. */
  private async issueFor(app: App, user: User, ttlSeconds: number): Promise<IssuedToken> {
    const token = generateAccessToken();
    const now = this.clock.now();
    const expiresAt = ttlSeconds === 0 ? null : now + ttlSeconds * 1000;
    const tokenId = generateTokenId();
    await this.directory.putAccessToken({
      hash: sha256Hex(token),
      id: tokenId,
      appId: app.id,
      userId: user.id,
      expiresAt,
      createdAt: now,
    });
    return { token, tokenId, expiresAt, user };
  }

  /** The user with this name (of whatever kind), or a new one of the given kind and role. */
  private async findOrCreate(app: App, username: string, kind: UserKind, role: Role): Promise<User> {
    const existing = await this.directory.findUserByName(app.id, username);
    if (existing) return existing;
    try {
      return await this.directory.createUser(
        app.id,
        { username, role, kind, passwordHash: null },
        this.clock.now(),
      );
    } catch (err) {
      // Someone created it between the lookup and the insert: use theirs (the callers check its kind).
      if (isParleyError(err) && err.code === 'conflict') {
        const raced = await this.directory.findUserByName(app.id, username);
        if (raced) return raced;
      }
      throw err;
    }
  }

  private nameTaken(): ParleyError {
    return new ParleyError('conflict', 'username is taken');
  }

  private getDummyHash(): Promise<string> {
    if (!this.dummyHash) {
      const pending = hashPassword(generateAccessToken());
      this.dummyHash = pending;
      pending.catch(() => {
        if (this.dummyHash === pending) this.dummyHash = null;
      });
    }
    return this.dummyHash;
  }
}
